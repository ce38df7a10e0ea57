-- wrk script for bench/run. With BENCH_IDS=N in the environment, each request names a random id of
-- N: BENCH_PREFIX .. string.format("%06d", i) .. BENCH_SUFFIX (the 100,000-file scenario); without it,
-- the URL given to wrk is requested every time. At the end, one line "BENCH_JSON {...}" with the counts
-- and latency percentiles (microseconds) that bench/run reads.
local ids = tonumber(os.getenv("BENCH_IDS") or "0")

if ids > 0 then
    local prefix = os.getenv("BENCH_PREFIX")
    local suffix = os.getenv("BENCH_SUFFIX") or ""
    function init(args)
        math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    end
    function request()
        return wrk.format(nil, prefix .. string.format("%06d", math.random(0, ids - 1)) .. suffix)
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
        '"status":%d,"timeout":%d},"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
        summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
