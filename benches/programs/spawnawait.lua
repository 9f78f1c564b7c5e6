-- Spawn-and-await's twin: create and resume n coroutines, one after the other, each
-- returning its number; n is the first argument (1,000,000).
local n = tonumber(arg and arg[1]) or 1000000
local sum = 0
for i = 1, n do
  local co = coroutine.create(function() return i end)
  local _, v = coroutine.resume(co)
  sum = sum + v
end
print(sum)
