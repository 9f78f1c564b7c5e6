-- spectral-norm (the Benchmarks Game algorithm): the Lua twin of spectral.rho.
local function a(i, j)
  local ij = i + j
  return 1.0 / (ij * (ij + 1) // 2 + i + 1)
end

-- out = A v (indices from 0 in the formula, from 1 in the tables)
local function mul_av(v, out)
  local n = #v
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do sum = sum + a(i - 1, j - 1) * v[j] end
    out[i] = sum
  end
end

-- out = transpose(A) v
local function mul_atv(v, out)
  local n = #v
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do sum = sum + a(j - 1, i - 1) * v[j] end
    out[i] = sum
  end
end

-- out = transpose(A) A v, using tmp
local function mul_atav(v, out, tmp)
  mul_av(v, tmp)
  mul_atv(tmp, out)
end

local n = tonumber(arg and arg[1]) or 500
local u, v, tmp = {}, {}, {}
for i = 1, n do
  u[i] = 1.0
  v[i] = 0.0
  tmp[i] = 0.0
end
for _ = 1, 10 do
  mul_atav(u, v, tmp)
  mul_atav(v, u, tmp)
end
local vbv, vv = 0.0, 0.0
for i = 1, n do
  vbv = vbv + u[i] * v[i]
  vv = vv + v[i] * v[i]
end
print(string.format("%.9f", math.sqrt(vbv / vv)))
