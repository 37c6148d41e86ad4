-- Shared by the wrk scripts of bench/sessions_load.py: write the run's summary and latency
-- percentiles (microseconds) as JSON to the file named by KC_BENCH_OUT.
done = function(summary, latency, requests)
  local out = assert(io.open(os.getenv("KC_BENCH_OUT"), "w"))
  local e = summary.errors
  out:write(string.format(
    '{"duration_us":%.0f,"requests":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"mean":%.1f,"max":%.0f,"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
  out:close()
end
