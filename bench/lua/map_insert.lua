-- Inserts the keys 7, 14, ..., 7n into a table (sparse keys: the hash part).
local n = tonumber(arg[1] or "1000000")
local m = {}
local size = 0
for i = 1, n do
  m[i * 7] = i
  size = size + 1
end
print(string.format("size = %d", size))
