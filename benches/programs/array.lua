local xs = {}
for i = 0, 999999 do xs[#xs + 1] = i end
local sum = 0
for _, x in ipairs(xs) do sum = sum + x end
print(sum)
