-- wrk script: requests for paths read from a file (BENCH_PATHS), one at random each time —
-- the tile list of benches/map_interface.sh.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
