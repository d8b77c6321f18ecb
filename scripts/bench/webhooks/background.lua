-- wrk script for scripts/bench/webhooks/latency.py: the background load at a steady rate.
--
-- Arguments (after `--`): BASE64_AUTH REQUESTS_PER_SECOND SEGMENTS USERS THREADS
-- Each request POSTs /v1/batch with 25 `track` events named "Viewed k" (k random below
-- SEGMENTS - 1) from users bg-0 … bg-(USERS - 1), each with a random 32-hex-digit messageId (as
-- analytics SDKs send UUIDs). Each of the THREADS wrk threads starts its requests on a wall-clock
-- schedule (delay()), its share of REQUESTS_PER_SECOND, on whichever of its connections is free, so
-- a slow answer does not slow the load (up to the number of connections in flight).
-- done() prints one line "WRKJSON {...}" with the events acknowledged and the failed requests.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } patron_timespec;
int clock_gettime(int clock, patron_timespec *ts);
]]
local clock = ffi.new("patron_timespec")

local function milliseconds()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local per_second = tonumber(args[2])
  segments = tonumber(args[3])
  users = tonumber(args[4])
  interval = 1000 * tonumber(args[5]) / per_second
  acked, failed = 0, 0
  math.randomseed(tid * 7919 + math.floor(milliseconds()))
  wrk.method = "POST"
  wrk.path = "/v1/batch"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Basic " .. args[1]
end

local function hex32()
  return string.format("%08x%08x%08x%08x", math.random(0, 0xffffffff), math.random(0, 0xffffffff),
    math.random(0, 0xffffffff), math.random(0, 0xffffffff))
end

function request()
  local events = {}
  for i = 1, 25 do
    events[i] = string.format('{"type":"track","userId":"bg-%d","messageId":"%s","event":"Viewed %d","properties":{"n":1}}',
      math.random(0, users - 1), hex32(), math.random(0, math.max(1, segments - 1) - 1))
  end
  return wrk.format(nil, nil, nil, '{"batch":[' .. table.concat(events, ",") .. ']}')
end

function delay()
  local now = milliseconds()
  local at = next_at or now
  next_at = at + interval
  return math.max(0, at - now) -- behind schedule: at once
end

function response(status, headers, body)
  if status == 200 then acked = acked + 25 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local events, failures = 0, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do
    events = events + thread:get("acked")
    failures = failures + thread:get("failed")
  end
  io.write(string.format('WRKJSON {"events":%d,"failed":%d,"seconds":%.3f}\n', events, failures,
    summary.duration / 1e6))
end
