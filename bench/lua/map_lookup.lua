-- Builds the table of map_insert, then looks every key up and sums the values.
local n = tonumber(arg[1] or "1000000")
local m = {}
local size = 0
for i = 1, n do
  m[i * 7] = i
  size = size + 1
end
local sum = 0
for i = 1, n do sum = sum + m[i * 7] end
print(string.format("size = %d, sum = %d", size, sum))
