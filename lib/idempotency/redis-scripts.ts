/*
 * The Lua scripts both Redis adapters send with EVAL. A script's reads and writes run without any
 * other command interleaving, so no other claim can land between a check and its write. (Redis 8.4
 * has `DELEX key IFEQ` and `SET ... IFEQ` for the single-key cases; we support 7.x.) The values they
 * write come in ARGV from redis-shared.ts, the one place the stored format is defined.
 */

/** KEYS[1] key, ARGV[1] `claimed:<token>`. 1 when it released, 0 when the key no longer holds ARGV[1]. */
export const RELEASE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

/** KEYS[1] key, ARGV[1] `claimed:<token>`, ARGV[2] `done`, ARGV[3] TTL in ms. 1 when it marked, else 0. */
export const DONE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) return 1 end return 0`;

/**
 * `SET key claimed:<owner>.<token> NX PX ttl` for many keys at once. KEYS: distinct keys; ARGV[1]
 * TTL in ms, ARGV[2] `claimed`, ARGV[3] `done`, ARGV[4] the prefix of owners' liveness keys, ARGV[5]
 * this owner, ARGV[6] the TTL of its liveness key in ms, ARGV[6 + i] `claimed:<owner>.<token>` for
 * KEYS[i]. Answers per key: 1 when this call claimed it, `done`, or `claimed` when another delivery
 * holds it (its token stays on the server).
 *
 * A claim whose owner's liveness key has lapsed is free: its process died (or stopped answering)
 * holding it, and waiting out the claim's own TTL would stall that order's redelivery for it. Each
 * claiming call renews its owner's liveness key; a heartbeat renews it in between (redis-shared.ts).
 * A claim without an owner (written before claims had them) waits out its TTL.
 *
 * A value that is none of ours is answered as found, and then nothing is claimed at all: the caller
 * refuses the whole call, and must not leave claims behind that nobody settles.
 */
export const CLAIM_MANY = `
local ttl, claimed, done, owners, me, ownerTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local answers, foreign, claiming = {}, false, false
for i, key in ipairs(KEYS) do
  local value = redis.call("GET", key)
  if not value then
    answers[i] = 0
  elseif value == done or value == claimed then
    answers[i] = value
  elseif string.sub(value, 1, #claimed + 1) == claimed .. ":" then
    local owner = string.match(string.sub(value, #claimed + 2), "^([^.]+)%.")
    if owner and owner ~= me and redis.call("EXISTS", owners .. owner) == 0 then
      answers[i] = 0
    else
      answers[i] = claimed
    end
  else
    answers[i] = value
    foreign = true
  end
end
if not foreign then
  for i, key in ipairs(KEYS) do
    if answers[i] == 0 then
      redis.call("SET", key, ARGV[6 + i], "PX", ttl)
      answers[i] = 1
      claiming = true
    end
  end
  if claiming then redis.call("SET", owners .. me, "alive", "PX", ownerTtl) end
end
return answers`;

/**
 * DONE_IF_HELD or RELEASE_IF_HELD for many keys, in order. KEYS: the keys; ARGV[1] TTL of `done` in
 * ms, ARGV[2] `done`; for KEYS[i], ARGV[2i + 1] `claimed:<token>` and ARGV[2i + 2] "1" to mark done,
 * "0" to release. Answers 1 or 0 per key, as the single-key scripts do.
 */
export const SETTLE_MANY = `
local acted = {}
for i, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[2 * i + 1] then
    if ARGV[2 * i + 2] == "1" then
      redis.call("SET", key, ARGV[2], "PX", ARGV[1])
    else
      redis.call("DEL", key)
    end
    acted[i] = 1
  else
    acted[i] = 0
  end
end
return acted`;
