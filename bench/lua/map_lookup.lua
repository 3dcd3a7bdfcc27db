-- Builds the table of map_insert, then looks every key up and sums the values.
-- Prints the lookup phase's own time (CPU time: Lua has no wall clock finer
-- than a second; bench/run reads it).
local n = tonumber(arg[1] or "1000000")
local m = {}
local size = 0
for i = 1, n do
  m[i * 7] = i
  size = size + 1
end
local sum = 0
local t0 = os.clock()
for i = 1, n do sum = sum + m[i * 7] end
local t1 = os.clock()
print(string.format("size = %d, sum = %d", size, sum))
print(string.format("lookup_us %d", math.floor((t1 - t0) * 1e6)))
