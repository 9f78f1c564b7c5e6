-- The Lua twin of wordfreq.rho.
local n = tonumber(arg and arg[1]) or 1000000
local syllables = { "ka", "ri", "to", "ne", "mu", "sa", "lo", "pe", "zu", "vi" }
local vocabulary = {}
for i = 0, 999 do
  vocabulary[#vocabulary + 1] = syllables[i % 10 + 1] .. syllables[i // 10 % 10 + 1] .. syllables[i // 100 + 1]
end

local seed = 42
local words = {}
for i = 1, n do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local r = seed // 65536 % 1000
  words[#words + 1] = vocabulary[r * r // 1000 + 1]
end
local text = table.concat(words, " ")

-- Split into a table of words, as Rho's split does.
local parts = {}
for w in string.gmatch(text, "[^ ]+") do parts[#parts + 1] = w end
local counts = {}
for _, w in ipairs(parts) do
  counts[w] = (counts[w] or 0) + 1
end

local order = {}
for w in pairs(counts) do order[#order + 1] = w end
table.sort(order)
local taken = {}
for _ = 1, 10 do
  local best = nil
  for _, w in ipairs(order) do
    if not taken[w] and (best == nil or counts[w] > counts[best]) then best = w end
  end
  taken[best] = true
  print(best .. " " .. counts[best])
end
