local count = tonumber(arg and arg[1]) or 10000000
local n = 0
while n < count do n = n + 1 end
print(n)
