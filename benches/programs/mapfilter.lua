-- map / filter / fold with closures: the Lua twin of mapfilter.rho, with the map, filter
-- and fold that Lua does not have built in.
local function map(xs, f)
  local out = {}
  for i = 1, #xs do out[i] = f(xs[i]) end
  return out
end

local function filter(xs, f)
  local out = {}
  for i = 1, #xs do
    local x = xs[i]
    if f(x) then out[#out + 1] = x end
  end
  return out
end

local function fold(xs, acc, f)
  for i = 1, #xs do acc = f(acc, xs[i]) end
  return acc
end

local n = tonumber(arg and arg[1]) or 1000000
local xs = {}
for i = 1, n do xs[i] = i - 1 end
local total = 0
for round = 1, 5 do
  local factor = round * 3 + 1
  local scaled = map(xs, function(x) return x * factor + round end)
  local kept = filter(scaled, function(x) return x % 3 == 0 end)
  local sum = fold(kept, 0, function(acc, x) return acc + x end)
  print(string.format("round %d: %d kept, sum %d", round, #kept, sum))
  total = total + sum
end
print("total " .. total)
