-- Known answers of LuaJIT 2.1's math.random, printed by LuaJIT itself (x86-64).
-- Usage: luajit vectors_luajit.lua OUT [RELEASE]   (OUT: the tests/vectors folder)
--   OUT/luajit_random/         raw words (the low 52 bits: math.random() * 2**52, exactly) and
--                              math.random(0, 999)
--   OUT/ranges/luajit_random/  math.random(6) and math.random(100): float_mul:N plus 1
local out, release = arg[1], arg[2] or jit.version
assert(out and jit, "usage: luajit vectors_luajit.lua OUT [RELEASE]")
local entry = "luajit_random"
-- write, calls and made_by: common.lua beside this script
local common = dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")
local write, calls, made_by = common.write, common.calls, common.made_by

for _, seed in ipairs({0, 42, 3735928495}) do
  local values = calls(seed, 1000, function()
    return string.format("%.0f", math.random() * 2^52) end)
  write(out .. "/" .. entry, string.format("seed-%.0f.raw.csv", seed),
        {"generator: " .. entry, string.format("seed: %.0f", seed), "stream: raw",
         string.format("source: %s (%s): math.randomseed(%.0f); math.random() * 2**52, 1000 calls",
                       release, jit.arch, seed), made_by}, values)
  values = calls(seed, 500, function() return string.format("%d", math.random(0, 999)) end)
  write(out .. "/" .. entry, string.format("seed-%.0f.float_mul-1000.csv", seed),
        {"generator: " .. entry, string.format("seed: %.0f", seed), "stream: float_mul:1000",
         string.format("source: %s (%s): math.randomseed(%.0f); math.random(0, 999), 500 calls",
                       release, jit.arch, seed), made_by}, values)
end

-- math.random(m), from 1; 1733356800 is math.randomseed(os.time()) at 2024-12-05T00:00:00Z
for _, seed in ipairs({42, 1733356800}) do
  for _, m in ipairs({6, 100}) do
    local values = calls(seed, 200, function() return string.format("%d", math.random(m)) end)
    write(out .. "/ranges/" .. entry, string.format("seed-%.0f.float_mul-%d+1.csv", seed, m),
          {"generator: " .. entry, string.format("seed: %.0f", seed),
           string.format("stream: float_mul:%d", m), "add: 1",
           string.format("source: %s (%s): math.randomseed(%.0f); math.random(%d), 200 calls",
                         release, jit.arch, seed, m), made_by}, values)
  end
end
