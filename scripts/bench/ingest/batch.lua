-- wrk script for scripts/bench/ingest/run: POST /v1/batch with realistic Segment batches.
--
-- Arguments (after `--`): RUN_ID BASE64_AUTH [EVENTS_PER_BATCH=25]
-- Every request carries EVENTS_PER_BATCH new events with unique messageIds
-- (RUN_ID-THREAD-SEQUENCE); the mix is 6 track : 1 order : 2 page : 1 identify, each event
-- 550-750 bytes of JSON with properties/traits and a browser-like context.
-- A response counts as acknowledged only if it is exactly 200 {"success":true}.
-- done() prints one line "WRKJSON {...}" with counts and latency percentiles (microseconds).

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run_id = args[1] or "run"
  batch_size = tonumber(args[3] or "25")
  seq, sent, acked, bad = 0, 0, 0, 0
  wrk.method = "POST"
  wrk.path = "/v1/batch"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Basic " .. (args[2] or "")
end

local context = '"context":{"library":{"name":"analytics.js","version":"4.1.0"},'
  .. '"ip":"203.0.113.%d","locale":"de-DE","timezone":"Europe/Berlin",'
  .. '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",'
  .. '"page":{"path":"/products/%d","referrer":"https://www.example.com/","title":"Product %d","url":"https://shop.example.com/products/%d"},'
  .. '"campaign":{"name":"winter-sale","source":"newsletter","medium":"email"}}'

local function event(n)
  local id = string.format('"messageId":"%s-%d-%d"', run_id, tid, n)
  local user = n % 5000
  local ts = string.format('"timestamp":"2026-11-26T10:%02d:%02d.%03dZ"', n % 60, (n * 7) % 60, n % 1000)
  local ctx = string.format(context, n % 250, n % 300, n % 300, n % 300)
  local who = string.format('"userId":"user-%d","anonymousId":"anon-%08x-%04x"', user, user * 2654435761 % 4294967296, n % 65536)
  local kind = n % 10
  local body
  if kind < 6 then
    body = string.format('"type":"track","event":"Product Viewed","properties":{"product_id":"sku-%d",'
      .. '"category":"Outdoor","name":"Trail Shoe %d","price":%d.99,"currency":"EUR","position":%d}', n % 300, n % 300, 20 + n % 180, n % 24)
  elseif kind == 6 then
    body = string.format('"type":"track","event":"Order Completed","properties":{"order_id":"o-%d-%d",'
      .. '"revenue":%d.50,"currency":"EUR","products":[{"product_id":"sku-%d","quantity":1,"price":%d.99}]}', tid, n, 30 + n % 400, n % 300, 20 + n % 180)
  elseif kind < 9 then
    body = string.format('"type":"page","name":"Product","properties":{"path":"/products/%d","search":"?ref=mail","title":"Product %d"}', n % 300, n % 300)
  else
    body = string.format('"type":"identify","traits":{"email":"user-%d@example.com","plan":"pro","first_name":"Ada","created_at":"2025-01-%02dT08:00:00Z"}', user, 1 + n % 28)
  end
  return "{" .. id .. "," .. who .. "," .. ts .. "," .. body .. "," .. ctx .. "}"
end

function request()
  local parts = {}
  for i = 1, batch_size do
    seq = seq + 1
    parts[i] = event(seq)
  end
  sent = sent + 1
  return wrk.format(nil, nil, nil, '{"batch":[' .. table.concat(parts, ",") .. ']}')
end

function response(status, headers, body)
  if status == 200 and body == '{"success":true}' then
    acked = acked + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local s, a, b = 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("sent")
    a = a + thread:get("acked")
    b = b + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format('WRKJSON {"duration_us":%d,"responses":%d,"sent":%d,"acked":%d,"bad":%d,'
    .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.duration, summary.requests, s, a, b, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
