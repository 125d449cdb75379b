-- What the vector scripts share (loaded with dofile from beside them; runs under Lua 5.1-5.4
-- and LuaJIT): the known-answer file writer and a seeded run of calls.
local common = {}

common.made_by = "made by: tests/vectors/sources/lua/make.sh"

-- a known-answer file: "# " header lines, a "value" line, one value a line
function common.write(folder, name, header, values)
  os.execute('mkdir -p "' .. folder .. '"')
  local file = assert(io.open(folder .. "/" .. name, "w"))
  for _, line in ipairs(header) do file:write("# ", line, "\n") end
  file:write("value\n")
  for _, value in ipairs(values) do file:write(value, "\n") end
  file:close()
end

-- n calls of call() after math.randomseed(seed)
function common.calls(seed, n, call)
  math.randomseed(seed)
  local values = {}
  for i = 1, n do values[i] = call() end
  return values
end

return common
