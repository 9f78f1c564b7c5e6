-- Compiles and runs a small piece of source many times (twin of eval.pi).
local total = 0
for _ = 1, 200000 do
  total = total + load("return 1 + 2")()
end
print(total)
