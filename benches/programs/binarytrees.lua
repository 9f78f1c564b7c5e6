-- binary-trees (the Benchmarks Game algorithm): the Lua twin of binarytrees.rho.
local function bottom_up(depth)
  if depth > 0 then
    return { bottom_up(depth - 1), bottom_up(depth - 1) }
  end
  return {}
end

local function check(tree)
  if #tree == 0 then return 1 end
  return 1 + check(tree[1]) + check(tree[2])
end

local n = tonumber(arg and arg[1]) or 16
local min_depth = 4
local max_depth = n
if max_depth < min_depth + 2 then max_depth = min_depth + 2 end

local stretch = max_depth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch, check(bottom_up(stretch))))

local long_lived = bottom_up(max_depth)
for depth = min_depth, max_depth, 2 do
  local iterations = 1 << (max_depth - depth + min_depth)
  local sum = 0
  for _ = 1, iterations do sum = sum + check(bottom_up(depth)) end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, sum))
end
print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))
