-- wrk is time-based; this stops each thread after a fixed number of responses so the capture stays small.
local limit = tonumber(os.getenv("WRK_RESPONSES") or "40")
local seen = 0
response = function(status, headers, body)
  seen = seen + 1
  if seen >= limit then
    wrk.thread:stop()
  end
end
