-- wrk script: cycle through a file of "path<TAB>token[<TAB>etag]" lines (GET with that token, and with
-- If-None-Match when an ETag is given: a poller that kept the last answer), each thread starting
-- at its own offset; print one JSON line with the counts and latency percentiles (microseconds) at the end.
local thread_counter = 0

function setup(thread)
   thread:set("thread_number", thread_counter)
   thread_counter = thread_counter + 1
end

function init(args)
   requests_list = {}
   for line in io.lines(args[1]) do
      local path, token, etag = line:match("^([^\t]+)\t([^\t]*)\t?([^\t]*)$")
      if path then
         local headers = { ["Accept"] = "application/json" }
         if token ~= "" then headers["Authorization"] = "Token " .. token end
         if etag ~= "" then headers["If-None-Match"] = etag end
         requests_list[#requests_list + 1] = wrk.format("GET", path, headers)
      end
   end
   position = (thread_number * 7919) % #requests_list
end

function request()
   position = position % #requests_list + 1
   return requests_list[position]
end

function done(summary, latency, requests)
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "timeouts": %d, "mean_us": %.1f, "p50_us": %d, "p90_us": %d, ' ..
      '"p95_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, summary.errors.status, summary.errors.connect,
      summary.errors.read, summary.errors.write, summary.errors.timeout, latency.mean,
      latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max))
end
