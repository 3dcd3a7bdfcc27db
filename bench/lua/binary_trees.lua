-- The benchmarks-game binary-trees program; a node is {left, right}, a leaf {}.
local function make(d)
  if d == 0 then return {} end
  return { make(d - 1), make(d - 1) }
end

local function check(t)
  if t == nil then return 0 end
  return 1 + check(t[1]) + check(t[2])
end

local n = tonumber(arg[1] or "16")
local min_depth = 4
local max_depth = math.max(min_depth + 2, n)
local stretch = max_depth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch, check(make(stretch))))
local long_lived = make(max_depth)
for d = min_depth, max_depth, 2 do
  local iterations = 1 << (max_depth - d + 4)
  local total = 0
  for _ = 1, iterations do total = total + check(make(d)) end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, d, total))
end
print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))
