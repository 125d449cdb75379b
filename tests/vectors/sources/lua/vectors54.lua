-- Known answers of Lua 5.4's math.random, printed by the interpreter itself.
-- Usage: lua5.4 vectors54.lua OUT [RELEASE]   (OUT: the tests/vectors folder; RELEASE: e.g.
-- "Lua 5.4.8" for the source lines, default _VERSION). Writes
--   OUT/lua54_random/         raw words (math.random(0) as unsigned) and math.random(m, n)
--   OUT/ranges/lua54_random/  math.random(6) and math.random(100): lua_range:0:N-1 plus 1
--   OUT/shapes/lua54_random/  math.random() doubles (the generator's native_double)
local out, release = arg[1], arg[2] or _VERSION
assert(out, "usage: vectors54.lua OUT [RELEASE]")

-- a 64-bit integer as unsigned decimal: q = floor(u / 10) from the logical shift
local function unsigned(x)
  if x >= 0 then return string.format("%d", x) end
  local q = (x >> 1) // 5
  return string.format("%d%d", q, x - q * 10)
end

-- write, calls and made_by: common.lua beside this script
local common = dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")
local write, calls, made_by = common.write, common.calls, common.made_by

for _, seed in ipairs({0, 42, 3735928495, -1}) do
  local values = calls(seed, 1000, function() return unsigned(math.random(0)) end)
  write(out .. "/lua54_random", "seed-" .. unsigned(seed) .. ".raw.csv",
        {"generator: lua54_random", "seed: " .. unsigned(seed), "stream: raw",
         string.format("source: %s: math.randomseed(%d); math.random(0) as unsigned, 1000 calls",
                       release, seed), made_by}, values)
end

-- math.random(m, n): no rejection (1..8), rejection (10..20, 0..999), the widest span
for _, case in ipairs({{42, 10, 20}, {42, 1, 8}, {3735928495, 0, 999}, {7, 0, 4294967295},
                       {1733356800, 1000000, 1000999}}) do
  local seed, low, high = case[1], case[2], case[3]
  local values = calls(seed, 500, function() return string.format("%d", math.random(low, high)) end)
  local stream = string.format("lua_range:%d:%d", low, high)
  write(out .. "/lua54_random",
        string.format("seed-%s.%s.csv", unsigned(seed), stream:gsub(":", "-")),
        {"generator: lua54_random", "seed: " .. unsigned(seed), "stream: " .. stream,
         string.format("source: %s: math.randomseed(%d); math.random(%d, %d), 500 calls",
                       release, seed, low, high), made_by}, values)
end

-- math.random(m): the range from 1 that scripts print (dice, percentages); 1733356800 is
-- math.randomseed(os.time()) at 2024-12-05T00:00:00Z
for _, seed in ipairs({42, 1234, 3735928495, 1733356800}) do
  for _, m in ipairs({6, 100}) do
    local values = calls(seed, 200, function() return string.format("%d", math.random(m)) end)
    write(out .. "/ranges/lua54_random",
          string.format("seed-%d.lua_range-0-%d+1.csv", seed, m - 1),
          {"generator: lua54_random", "seed: " .. seed, string.format("stream: lua_range:0:%d", m - 1),
           "add: 1", string.format("source: %s: math.randomseed(%d); math.random(%d), 200 calls",
                                   release, seed, m), made_by}, values)
  end
end

-- math.random(): (x >> 11) * 2**-53, printed to round-trip
for _, seed in ipairs({0, 3735928495}) do
  local values = calls(seed, 1000, function() return string.format("%.17g", math.random()) end)
  write(out .. "/shapes/lua54_random", string.format("seed-%d.native_double.csv", seed),
        {"generator: lua54_random", "seed: " .. seed, "stream: native_double",
         string.format("source: %s: math.randomseed(%d); math.random(), 1000 calls",
                       release, seed), made_by}, values)
end
