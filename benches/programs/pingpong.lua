-- Ping-pong's twin: a coroutine generator yields 1..n and the caller sums them, one switch
-- each way per value; n is the first argument (1,000,000).
local n = tonumber(arg and arg[1]) or 1000000
local gen = coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
local sum = 0
for _ = 1, n do sum = sum + gen() end
print(sum)
