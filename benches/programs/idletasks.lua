-- Idle tasks' twin: n coroutines each suspended waiting for a value, then resumed with
-- 0..n-1 and their results summed; n is the first argument (100,000).
local n = tonumber(arg and arg[1]) or 100000
local cos = {}
for i = 1, n do
  local co = coroutine.create(function() return coroutine.yield() end)
  coroutine.resume(co)
  cos[i] = co
end
local sum = 0
for i = 1, n do
  local _, v = coroutine.resume(cos[i], i - 1)
  sum = sum + v
end
print(sum)
