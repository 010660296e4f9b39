// The Lua scripts of the Redis state. Each runs atomically and touches one session's keys
// only (KEYS and keys built from a KEYS-derived prefix share the session's hash tag).
// Event ids inside a log are `0-<seq>`: the stream's own ids carry our sequence numbers,
// so an event id `<stream>_<seq>` maps to a log entry without any lookup.
import { Script } from './redis-client.js'

/** KEYS record; ARGV ttl, field, value, ... → 1. A new session's record. */
export const createSession = new Script(`
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`, 1)

/** KEYS record → its fields, or false when there is none. */
export const loadSession = new Script(`
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
return fields`, 1)

/** KEYS record; ARGV channel, message, field, value, ... → 1, or 0 when the session is gone. */
export const saveFields = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`, 1)

/**
 * KEYS record, subscriptions; ARGV ttl, '+' (subscribe) or '-', uri → 1, or 0 when the
 * session is gone. One URI at a time: a whole set written from one instance's copy would
 * undo what another instance changed meanwhile.
 */
export const saveSubscription = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == '+' then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
else
  redis.call('SREM', KEYS[2], ARGV[3])
end
return 1`, 2)

/**
 * KEYS record, subscriptions, streams; ARGV ttl, log prefix → 1, or 0 when the session is
 * gone. The sliding TTL: every key of the session lives ttl ms more.
 */
export const touchSession = new Script(`
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
for _, stream in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('PEXPIRE', ARGV[2] .. stream, ARGV[1])
end
return 1`, 3)

/** KEYS record, subscriptions, streams; ARGV log prefix, channel, message → 1. */
export const endSession = new Script(`
for _, stream in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', ARGV[1] .. stream)
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`, 3)

/**
 * One writer's stream (a POST's answer): the writer numbers its events itself and sends
 * them in order, a batch at a time (whatever accumulated while the previous batch was on
 * its way), so one stream's events never overtake each other.
 * KEYS record, streams; ARGV log prefix, stream id, max events, ttl, now, max streams,
 * channel ('' = no wake-up), message, then (seq, field ('d' data, 'e' end), value) per event
 * → 1, or 0 when the session is gone (nothing is written for an ended session).
 */
export const appendOwn = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local log = ARGV[1] .. ARGV[2]
for i = 9, #ARGV, 3 do
  redis.call('XADD', log, 'MAXLEN', '~', ARGV[3], '0-' .. ARGV[i], ARGV[i + 1], ARGV[i + 2])
end
redis.call('PEXPIRE', log, ARGV[4])
if redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[6]) do
    local oldest = redis.call('ZPOPMIN', KEYS[2])
    redis.call('DEL', ARGV[1] .. oldest[1])
  end
end
if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], ARGV[8]) end
return 1`, 2)

/**
 * A message unrelated to any request, for the session's standalone stream wherever it is
 * held; any instance may write, so the log numbers the events (XADD 0-*).
 * KEYS record, subscriptions; ARGV log prefix, data, max events, ttl, channel, uri ('' = any)
 * → the new entry's id, or false when the session has no standalone stream (or, with a uri,
 * is not subscribed to it). The wake-up carries an event of up to ARGV[7] bytes itself
 * ('v<stream> <seq> <data>'), so its holder need not read the log for it.
 */
export const appendUnrelated = new Script(`
local stream = redis.call('HGET', KEYS[1], 'standalone')
if not stream then return false end
if ARGV[6] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[6]) == 0 then return false end
local log = ARGV[1] .. stream
local id = redis.call('XADD', log, 'MAXLEN', '~', ARGV[3], '0-*', 'd', ARGV[2])
redis.call('PEXPIRE', log, ARGV[4])
if #ARGV[2] <= tonumber(ARGV[7]) then
  redis.call('PUBLISH', ARGV[5], 'v' .. stream .. ' ' .. string.sub(id, 3) .. ' ' .. ARGV[2])
else
  redis.call('PUBLISH', ARGV[5], 'w' .. stream)
end
return id`, 2)

/**
 * Makes a new stream the session's standalone stream; the one it replaces gets an end
 * marker (its holder, wherever it is, ends that connection).
 * KEYS record, streams; ARGV log prefix, new stream id, prime ('1'/'0'), max events, ttl,
 * now, channel → the priming event's id ('' without priming), or false when the session is gone.
 */
export const openStandalone = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local old = redis.call('HGET', KEYS[1], 'standalone')
redis.call('HSET', KEYS[1], 'standalone', ARGV[2])
if old and redis.call('EXISTS', ARGV[1] .. old) == 1 then
  redis.call('XADD', ARGV[1] .. old, 'MAXLEN', '~', ARGV[4], '0-*', 'e', '1')
  redis.call('PUBLISH', ARGV[7], 'w' .. old)
end
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local id = ''
if ARGV[3] == '1' then
  id = redis.call('XADD', ARGV[1] .. ARGV[2], '0-*', 'd', '')
  redis.call('PEXPIRE', ARGV[1] .. ARGV[2], ARGV[5])
end
return id`, 2)

/**
 * The events of a log after seq ARGV[1] (at most ARGV[2]), or false when the log is unknown
 * or expired, when some of those events were trimmed, or when the id was never issued
 * (beyond the last event): a resume must never be partial. With ARGV[3] = '1' (a live
 * reader) a log that does not exist yet is empty, not unknown.
 * KEYS log → { { id, { field, value } }, ... } or false.
 */
export const readLog = new Script(`
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  if ARGV[3] == '1' then return {} end
  return false
end
local after = tonumber(ARGV[1])
if after + 1 < tonumber(string.sub(first[1][1], 3)) then return false end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if after > tonumber(string.sub(last[1][1], 3)) then return false end
return redis.call('XRANGE', KEYS[1], '(0-' .. ARGV[1], '+', 'COUNT', ARGV[2])`, 1)

/** KEYS set; ARGV 'add' or 'remove', member. */
export const indexMember = new Script(`
if ARGV[1] == 'add' then return redis.call('SADD', KEYS[1], ARGV[2]) end
return redis.call('SREM', KEYS[1], ARGV[2])`, 1)

/** KEYS set → its members. */
export const indexMembers = new Script(`return redis.call('SMEMBERS', KEYS[1])`, 1)

/** KEYS key; ARGV candidate → the key every instance shares (set once). */
export const sharedSecret = new Script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`, 1)
