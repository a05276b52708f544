-- Aegis fixed-window counter: one atomic step (INCR, and start the window when the key is new).
-- Same semantics as dev.aegis.storage.inproc.InProcessCounterStore.
--
-- KEYS[1]  counter key (aegis:cnt:...)
-- ARGV[1]  window length in ms, an integer > 0; only applied when this call creates the key
-- returns  the count after this increment
--
-- The TTL is set when INCR creates the key (result 1), so the count resets when the first
-- increment's window ends and later increments never extend it. A key that somehow has no TTL
-- (written by something else) gets one too, so no counter can live forever.

local ttl = tonumber(ARGV[1])
if not ttl or ttl < 1 or ttl ~= math.floor(ttl) then
  return redis.error_reply('ERR aegis counter: ttl must be an integer > 0')
end

local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
