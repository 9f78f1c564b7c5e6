-- The Lua twin of push.rho.
local n = tonumber(arg and arg[1]) or 1000000
local lines = {}
for i = 0, n - 1 do
  local s = "abc" .. tostring(i)
  if i % 12 == 0 then lines[#lines + 1] = s end
end
print(#lines .. " " .. lines[#lines])
