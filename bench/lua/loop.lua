-- A tail-recursive loop summing 1..n (Lua has proper tail calls).
local function sum(n, acc)
  if n == 0 then return acc end
  return sum(n - 1, acc + n)
end

local n = tonumber(arg[1] or "100000000")
print(string.format("sum(%d) = %d", n, sum(n, 0)))
