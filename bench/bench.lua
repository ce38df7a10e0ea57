-- wrk script for bench/run. With BENCH_IDS=N in the environment, each request names a random id of
-- N: BENCH_PREFIX .. string.format("%06d", i) .. BENCH_SUFFIX (the 100,000-file scenario); without it,
-- the URL given to wrk is requested every time. With BENCH_SWEEP=1 as well, the ids come in order instead
-- (thread k of BENCH_THREADS takes k, k + BENCH_THREADS, ...): one pass asks for every id once. At the end, one line "BENCH_JSON {...}" with the counts
-- and latency percentiles (microseconds) that bench/run reads.
local ids = tonumber(os.getenv("BENCH_IDS") or "0")

local sweep = os.getenv("BENCH_SWEEP") == "1"
local step = tonumber(os.getenv("BENCH_THREADS") or "2")
local threads = 0

function setup(thread)
    thread:set("first", threads)
    threads = threads + 1
end

if ids > 0 then
    local prefix = os.getenv("BENCH_PREFIX")
    local suffix = os.getenv("BENCH_SUFFIX") or ""
    local nextID = 0
    function init(args)
        math.randomseed(os.time() + math.floor(os.clock() * 1000000))
        nextID = first or 0
    end
    function request()
        local id
        if sweep then
            id = nextID % ids
            nextID = nextID + step
        else
            id = math.random(0, ids - 1)
        end
        return wrk.format(nil, prefix .. string.format("%06d", id) .. suffix)
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
