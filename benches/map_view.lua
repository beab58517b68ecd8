-- wrk script: map-view requests for random ~1 km x 1 km boxes inside the benchmark park.
-- The extent comes from the environment (BENCH_EXTENT="minx miny maxx maxy").
local ext = {}
for v in string.gmatch(os.getenv("BENCH_EXTENT") or "116.55 27.50 116.67 27.57", "%S+") do ext[#ext + 1] = tonumber(v) end
local w, h = 0.0101, 0.0090 -- ~1.0 km x 1.0 km at 27.5 N
math.randomseed(42)
request = function()
  local x = ext[1] + math.random() * (ext[3] - ext[1] - w)
  local y = ext[2] + math.random() * (ext[4] - ext[2] - h)
  local path = string.format("/collections/parcels/items?bbox=%.6f,%.6f,%.6f,%.6f&limit=1000", x, y, x + w, y + h)
  return wrk.format("GET", path)
end
