-- Maps + 1 over a list of n integers ten times. Lua's idiom is an array
-- built by a loop (a body recursion 200,000 deep overflows its stack).
local n = tonumber(arg[1] or "200000")
local xs = {}
for i = 1, n do xs[i] = i end
for _ = 1, 10 do
  local ys = {}
  for i = 1, #xs do ys[i] = xs[i] + 1 end
  xs = ys
end
local s = 0
for i = 1, #xs do s = s + xs[i] end
print(string.format("sum = %d", s))
