-- Known answers of math.random in Lua 5.3 and 5.1, which call the C library's generator (glibc's
-- random()/rand() on Linux), printed by the interpreter itself. Runs under either version.
-- Usage: lua5.3 vectors_libc.lua OUT [RELEASE]   (or lua5.1; OUT: the tests/vectors folder)
--   OUT/<entry>/          raw words recovered from math.random(), and math.random(0, 999)
--   OUT/ranges/<entry>/   math.random(6) and math.random(100): float_mul:N plus 1
-- where <entry> is lua53_glibc or lua51_glibc.
local out, release = arg[1], arg[2] or _VERSION
assert(out, "usage: vectors_libc.lua OUT [RELEASE]")
local entry, raw_call, raw_scale
if _VERSION == "Lua 5.3" then
  -- math.random() is random() * 2**-31: the raw word, times 2**31, exactly
  entry, raw_call, raw_scale = "lua53_glibc", "math.random() * 2**31 (random())", 2147483648
elseif _VERSION == "Lua 5.1" then
  -- math.random() is (rand() % RAND_MAX) / RAND_MAX: rand() unless rand() == RAND_MAX, which
  -- would print 0 (a chance of 2**-31 per value; the raw test would show it)
  entry, raw_call, raw_scale = "lua51_glibc", "math.random() * 2147483647 (rand() % RAND_MAX)",
                               2147483647
else
  error("run with Lua 5.3 or 5.1, not " .. _VERSION)
end
-- write, calls and made_by: common.lua beside this script
local common = dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")
local write, calls, made_by = common.write, common.calls, common.made_by

for _, seed in ipairs({0, 42, 3735928495}) do
  local values = calls(seed, 1000, function()
    return string.format("%.0f", math.random() * raw_scale) end)
  write(out .. "/" .. entry, string.format("seed-%.0f.raw.csv", seed),
        {"generator: " .. entry, string.format("seed: %.0f", seed), "stream: raw",
         string.format("source: %s on glibc: math.randomseed(%.0f); %s, 1000 calls",
                       release, seed, raw_call), made_by}, values)
  values = calls(seed, 500, function() return string.format("%d", math.random(0, 999)) end)
  write(out .. "/" .. entry, string.format("seed-%.0f.float_mul-1000.csv", seed),
        {"generator: " .. entry, string.format("seed: %.0f", seed), "stream: float_mul:1000",
         string.format("source: %s on glibc: math.randomseed(%.0f); math.random(0, 999), 500 calls",
                       release, seed), made_by}, values)
end

-- math.random(m), from 1; 1733356800 is math.randomseed(os.time()) at 2024-12-05T00:00:00Z
for _, seed in ipairs({42, 1733356800}) do
  for _, m in ipairs({6, 100}) do
    local values = calls(seed, 200, function() return string.format("%d", math.random(m)) end)
    write(out .. "/ranges/" .. entry, string.format("seed-%.0f.float_mul-%d+1.csv", seed, m),
          {"generator: " .. entry, string.format("seed: %.0f", seed),
           string.format("stream: float_mul:%d", m), "add: 1",
           string.format("source: %s on glibc: math.randomseed(%.0f); math.random(%d), 200 calls",
                         release, seed, m), made_by}, values)
  end
end
