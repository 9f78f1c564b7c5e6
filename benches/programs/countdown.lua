local function countdown(n) if n == 0 then return n end return countdown(n - 1) end
print(countdown(10000000))
