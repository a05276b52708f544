-- Aegis token bucket: one atomic step (refill, then take one token if there is one).
-- Same algorithm as dev.aegis.storage.inproc.InProcessRateLimiter, at microsecond resolution.
--
-- KEYS[1]  bucket key (aegis:rl:...), a hash {u = units left, t = time of last refill in µs}
-- ARGV[1]  refill rate, tokens per second (> 0)
-- ARGV[2]  burst, bucket capacity in tokens (>= 1)
-- returns  {allowed (1|0), retry_after_us, remaining_tokens}
--
-- Tokens are fixed point, 1e6 units per token, so with a µs clock the refill is rate units/µs.
-- Every intermediate value is an integer below 2^53 and therefore exact in Lua's doubles.
-- The clock is Redis TIME, never the caller's: gateway clock skew changes nothing. A denied
-- call writes nothing. The key expires once the bucket would be full again (+1 s), since a
-- missing key means a full bucket; keys therefore never accumulate.

if redis.replicate_commands then redis.replicate_commands() end -- needed before Redis 5 only

local UNITS = 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
if not rate or rate <= 0 or rate == math.huge or not burst or burst < 1 then
  return redis.error_reply('ERR aegis token bucket: bad rate or burst')
end
burst = math.floor(burst)

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local capacity = burst * UNITS

local units = capacity
local stamp = now
local state = redis.call('HMGET', KEYS[1], 'u', 't')
local stored_units = tonumber(state[1])
local stored_stamp = tonumber(state[2])
if stored_units and stored_stamp then
  units = math.min(stored_units, capacity)
  local elapsed = now - stored_stamp
  if elapsed > 0 then
    local add = elapsed * rate
    if add >= capacity - units then
      units = capacity
    else
      units = units + math.floor(add)
    end
  else
    stamp = stored_stamp -- TIME did not advance (or went back after a failover): no refill
  end
end

if units < UNITS then
  return {0, math.ceil((UNITS - units) / rate), 0}
end

units = units - UNITS
-- Lua numbers passed to redis.call are printed with 14 digits; format the integers ourselves.
redis.call('HSET', KEYS[1], 'u', string.format('%.0f', units), 't', string.format('%.0f', stamp))
local ttl_ms = math.ceil((capacity - units) / rate / 1000) + 1000
if ttl_ms > 4611686018427 then ttl_ms = 4611686018427 end
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl_ms))
return {1, 0, math.floor(units / UNITS)}
