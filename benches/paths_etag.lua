-- wrk script: revalidation, as a proxy cache asks. Each request is a path read from BENCH_PATHS
-- ("path<TAB>etag" a line, tiles_vs_martin.sh), one at random, with `If-None-Match: <etag>`;
-- prints how many answers were not 304 (a changed tile, or an error).
local paths, tags = {}, {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  local path, tag = line:match("^(%S+)\t(.+)$")
  paths[#paths + 1] = path
  tags[#tags + 1] = tag
end
math.randomseed(7)
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function init() other = 0 end
function request()
  local i = math.random(#paths)
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end -- keep wrk's -H headers
  headers["If-None-Match"] = tags[i]
  return wrk.format("GET", paths[i], headers)
end
function response(status) if status ~= 304 then other = other + 1 end end
function done()
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("other") end
  io.write(string.format("answers other than 304: %d\n", n))
end
