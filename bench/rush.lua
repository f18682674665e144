-- wrk script for bench/registration_rush.py (run with -t1: the tokens are shared out by one
-- thread): one registration per teacher, each with its own bearer token (one per line in the
-- file named last after "--"). Once every token is sent, a free connection fetches a static
-- file (text/css, not counted) until the last registration is answered. wrk itself runs for
-- its whole -d: the caller times the run between the "started" and "answered" lines and then
-- interrupts wrk, whose done() prints one JSON line of figures.
local path, filler
local tokens = {}
local sent = 0
answered, accepted, waitlisted, refused, failed, unclear = 0, 0, 0, 0, 0, 0
codes = ""                                    -- the error codes met, once each
local seen = {}

function init(args)
  path, filler = args[1], args[2]
  for line in io.lines(args[3]) do
    tokens[#tokens + 1] = line
  end
end

local verified = false

function mark(event)
  io.write(event .. "\n")
  io.flush()
end

function request()
  -- wrk calls this once before the run to check the request it makes: give it the filler.
  if not verified or sent == #tokens then
    verified = true
    return wrk.format("GET", filler)
  end
  sent = sent + 1
  if sent == 1 then
    mark("started")
  end
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. tokens[sent],
                                   ["Content-Type"] = "application/json"}, "{}")
end

function response(status, headers, body)
  if (headers["Content-Type"] or ""):find("text/css", 1, true) then
    return                                    -- a filler
  end
  answered = answered + 1
  if status >= 400 then
    local code = status .. " " .. (body:match('"code": *"([^"]+)"') or "")
    if not seen[code] then
      seen[code] = true
      codes = codes .. code .. "; "
    end
  end
  if status >= 500 then
    failed = failed + 1
  elseif status >= 400 then
    refused = refused + 1
  elseif body:find('"state": *"accepted"') then
    accepted = accepted + 1
  elseif body:find('"state": *"waitlisted"') then
    waitlisted = waitlisted + 1
  else
    unclear = unclear + 1                     -- a 2xx without either state: a bug to look at
  end
  if answered == #tokens then
    mark("answered")
    wrk.thread:stop()
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  -- Each thread counted in its own Lua state; wrk's own figures include the few fillers.
  local sum = {answered = 0, accepted = 0, waitlisted = 0, refused = 0, failed = 0,
               unclear = 0}
  local met = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sum) do
      sum[name] = sum[name] + thread:get(name)
    end
    met = met .. thread:get("codes")
  end
  io.write(string.format(
    '{"answered": %d, "accepted": %d, "waitlisted": %d, "4xx": %d, "5xx": %d, ' ..
    '"unclear": %d, ' ..
    '"seconds": %.3f, "requests": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "socket_errors": %d, "errors": "%s"}\n',
    sum.answered, sum.accepted, sum.waitlisted, sum.refused, sum.failed, sum.unclear,
    summary.duration / 1e6, summary.requests, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, met))
end
