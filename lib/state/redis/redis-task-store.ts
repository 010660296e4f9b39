// Tasks in Redis (issue 12 with the Redis state): one hash per task, under the task's TTL
// (createdAt + ttlMs), so tasks/get, tasks/update and tasks/cancel work on every instance.
// Every change is one Lua script: the status compare-and-set that gives a cancellation
// racing a completion exactly one winner, input keys used once for a task's life, and the
// caps. User content (results, errors, input requests and answers) is stored as the JSON
// the engine gave and never decoded inside Redis. All task keys share one hash tag, so a
// Cluster keeps them in one slot and the scripts may touch the indexes with the task.
import type { Result } from '../../protocol/jsonrpc.js'
import {
  TaskCapacityError,
  decodeTaskCursor,
  encodeTaskCursor,
  type TaskInputRequest,
  type TaskPage,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
  type TaskStore
} from '../task-store.js'
import type { RedisClient } from './redis-client.js'
import { Script } from './redis-client.js'
import type { StateGuard } from './state-guard.js'

// A task without a TTL (ttlMs null) is kept until deleted; its index entry sorts last.
const NO_EXPIRY = 8.64e15

const LIVE = `local function live (s) return s == 'working' or s == 'input_required' end`

/** KEYS task, owner index, owner live set, all; ARGV maxTasks, maxPerOwner, member, expiresAt, createdAt, id, ttl ('' none), fields... */
const create = new Script(`
local function sweep (now)
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)) do
    redis.call('ZREM', KEYS[4], member)
  end
end
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[1]) then
  sweep(ARGV[5])
  if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[1]) then return 'server' end
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[2]) then
  -- Expired tasks are not live: drop them from the owner's live set before refusing.
  local prefix = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[6])
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    if redis.call('EXISTS', prefix .. id) == 0 then redis.call('SREM', KEYS[3], id) end
  end
  if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[2]) then return 'owner' end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
-- The task ends at createdAt + ttlMs, not ttlMs after it reached Redis.
if ARGV[7] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[7]) end
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
return 'ok'`, 4)

/** KEYS task; ARGV live-set prefix, now, n, from x n, field, value, ... → the record's fields, or false. */
const update = new Script(`${LIVE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local n = tonumber(ARGV[3])
local allowed = false
for i = 4, 3 + n do if ARGV[i] == status then allowed = true end end
if not allowed then return false end
local changed = false
for i = 4 + n, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i] ~= 'leaseUntil' then changed = true end
end
if changed then redis.call('HSET', KEYS[1], 'lastUpdatedAt', ARGV[2]) end
local now = redis.call('HGET', KEYS[1], 'status')
if not live(now) then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 3) == 'in:' then redis.call('HDEL', KEYS[1], field) end
  end
  if live(status) then redis.call('SREM', ARGV[1] .. redis.call('HGET', KEYS[1], 'owner'), redis.call('HGET', KEYS[1], 'id')) end
end
return redis.call('HGETALL', KEYS[1])`, 1)

/** KEYS task; ARGV key, request JSON, now → fields, false (gone or finished), or 'used'. */
const requestInput = new Script(`${LIVE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or not live(status) then return false end
if redis.call('HEXISTS', KEYS[1], 'used:' .. ARGV[1]) == 1 then return 'used' end
local order = redis.call('HINCRBY', KEYS[1], 'usedCount', 1)
redis.call('HSET', KEYS[1], 'used:' .. ARGV[1], order, 'in:' .. ARGV[1], ARGV[2], 'status', 'input_required', 'lastUpdatedAt', ARGV[3])
return redis.call('HGETALL', KEYS[1])`, 1)

/** KEYS task; ARGV now, key, response JSON, ... → the keys accepted. */
const answerInput = new Script(`${LIVE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or not live(status) then return {} end
local accepted = {}
for i = 2, #ARGV, 2 do
  if redis.call('HDEL', KEYS[1], 'in:' .. ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], 'ans:' .. ARGV[i], ARGV[i + 1])
    table.insert(accepted, ARGV[i])
  end
end
if #accepted > 0 then
  local left = false
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 3) == 'in:' then left = true end
  end
  if not left then redis.call('HSET', KEYS[1], 'status', 'working') end
  redis.call('HSET', KEYS[1], 'lastUpdatedAt', ARGV[1])
end
return accepted`, 1)

/** KEYS owner index; ARGV task prefix, after createdAt ('' none), after id, limit + 1 → { fields, ... }. */
const list = new Script(`
local min = '-inf'
if ARGV[2] ~= '' then min = ARGV[2] end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], min, '+inf')) do
  local score = redis.call('ZSCORE', KEYS[1], id)
  local skip = ARGV[2] ~= '' and tonumber(score) == tonumber(ARGV[2]) and id <= ARGV[3]
  if not skip then
    local fields = redis.call('HGETALL', ARGV[1] .. id)
    if #fields == 0 then redis.call('ZREM', KEYS[1], id)
    else
      table.insert(out, fields)
      if #out == tonumber(ARGV[4]) then return out end
    end
  end
end
return out`, 1)

/** KEYS task, owner index prefix, live prefix, all; ARGV id → 1 or 0. */
const remove = new Script(`
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2] .. owner, ARGV[1])
redis.call('SREM', KEYS[3] .. owner, ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1] .. '\\n' .. owner)
return 1`, 4)

/** KEYS all; ARGV now, owner index prefix, live prefix → how many expired tasks left the indexes. */
const sweep = new Script(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, member in ipairs(expired) do
  local cut = string.find(member, '\\n', 1, true)
  local id, owner = string.sub(member, 1, cut - 1), string.sub(member, cut + 1)
  redis.call('ZREM', ARGV[2] .. owner, id)
  redis.call('SREM', ARGV[3] .. owner, id)
  redis.call('ZREM', KEYS[1], member)
end
return #expired`, 1)

export interface RedisTaskStoreOptions {
  prefix: string
  maxTasks: number
  maxTasksPerOwner: number
  sweepInterval: number
}

function toRecord (fields: string[]): TaskRecord {
  const map = new Map<string, string>()
  for (let i = 0; i < fields.length; i += 2) map.set(fields[i], fields[i + 1])
  const record: TaskRecord = {
    id: map.get('id')!,
    owner: map.get('owner')!,
    method: map.get('method')!,
    protocolVersion: map.get('protocolVersion')!,
    status: map.get('status') as TaskStatus,
    createdAt: Number(map.get('createdAt')),
    lastUpdatedAt: Number(map.get('lastUpdatedAt')),
    ttlMs: map.get('ttlMs') === '' ? null : Number(map.get('ttlMs')),
    inputRequests: {},
    inputResponses: {},
    usedKeys: [],
    leaseUntil: Number(map.get('leaseUntil'))
  }
  const sessionId = map.get('sessionId')
  if (sessionId !== undefined) record.sessionId = sessionId
  const message = map.get('statusMessage')
  if (message !== undefined) record.statusMessage = message
  const poll = map.get('pollIntervalMs')
  if (poll !== undefined) record.pollIntervalMs = Number(poll)
  const result = map.get('result')
  if (result !== undefined) record.result = JSON.parse(result)
  const error = map.get('error')
  if (error !== undefined) record.error = JSON.parse(error)
  const used: Array<[number, string]> = []
  for (const [field, value] of map) {
    if (field.startsWith('in:')) record.inputRequests[field.slice(3)] = JSON.parse(value)
    else if (field.startsWith('ans:')) record.inputResponses[field.slice(4)] = JSON.parse(value)
    else if (field.startsWith('used:')) used.push([Number(value), field.slice(5)])
  }
  record.usedKeys = used.sort((a, b) => a[0] - b[0]).map(([, key]) => key)
  return record
}

export class RedisTaskStore implements TaskStore {
  private readonly client: RedisClient
  private readonly guard: StateGuard
  private readonly options: RedisTaskStoreOptions
  private readonly taskPrefix: string
  private readonly ownerPrefix: string
  private readonly livePrefix: string
  private readonly all: string
  private sweeper: NodeJS.Timeout | undefined

  constructor (client: RedisClient, guard: StateGuard, options: RedisTaskStoreOptions) {
    this.client = client
    this.guard = guard
    this.options = options
    const base = `${options.prefix}{tasks}:`
    this.taskPrefix = `${base}task:`
    this.ownerPrefix = `${base}owner:`
    this.livePrefix = `${base}live:`
    this.all = `${base}all`
  }

  async create (record: TaskRecord): Promise<void> {
    const fields: Array<string | number> = [
      'id', record.id, 'owner', record.owner, 'method', record.method, 'protocolVersion', record.protocolVersion,
      'status', record.status, 'createdAt', record.createdAt, 'lastUpdatedAt', record.lastUpdatedAt,
      'ttlMs', record.ttlMs ?? '', 'leaseUntil', record.leaseUntil, 'usedCount', record.usedKeys.length
    ]
    if (record.sessionId !== undefined) fields.push('sessionId', record.sessionId)
    if (record.statusMessage !== undefined) fields.push('statusMessage', record.statusMessage)
    if (record.pollIntervalMs !== undefined) fields.push('pollIntervalMs', record.pollIntervalMs)
    record.usedKeys.forEach((key, i) => fields.push(`used:${key}`, i + 1))
    for (const [key, request] of Object.entries(record.inputRequests)) fields.push(`in:${key}`, JSON.stringify(request))
    const expiresAt = record.ttlMs === null ? NO_EXPIRY : record.createdAt + record.ttlMs
    const outcome = await this.guard.run(create.run(this.client, [
      this.taskPrefix + record.id, this.ownerPrefix + record.owner, this.livePrefix + record.owner, this.all,
      this.options.maxTasks, this.options.maxTasksPerOwner, `${record.id}\n${record.owner}`, expiresAt,
      record.createdAt, record.id, record.ttlMs === null ? '' : expiresAt, ...fields
    ]))
    if (outcome === 'server') throw new TaskCapacityError('server', this.options.maxTasks)
    if (outcome === 'owner') throw new TaskCapacityError('owner', this.options.maxTasksPerOwner)
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => { this.sweep().catch(() => {}) }, this.options.sweepInterval)
      this.sweeper.unref()
    }
  }

  async get (id: string): Promise<TaskRecord | undefined> {
    const fields = await this.guard.run(this.hgetall(id))
    return fields.length === 0 ? undefined : toRecord(fields)
  }

  async update (id: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    const fields: Array<string | number> = []
    if (patch.status !== undefined) fields.push('status', patch.status)
    if (patch.statusMessage !== undefined) fields.push('statusMessage', patch.statusMessage)
    if (patch.result !== undefined) fields.push('result', JSON.stringify(patch.result))
    if (patch.error !== undefined) fields.push('error', JSON.stringify(patch.error))
    if (patch.leaseUntil !== undefined) fields.push('leaseUntil', patch.leaseUntil)
    const reply = await this.guard.run(update.run(this.client, [this.taskPrefix + id, this.livePrefix, Date.now(), from.length, ...from, ...fields]) as Promise<string[] | null>)
    return reply === null ? undefined : toRecord(reply)
  }

  async requestInput (id: string, key: string, request: TaskInputRequest): Promise<TaskRecord | undefined> {
    const reply = await this.guard.run(requestInput.run(this.client, [this.taskPrefix + id, key, JSON.stringify(request), Date.now()]) as Promise<string[] | string | null>)
    if (reply === 'used') throw new Error(`Input key ${JSON.stringify(key)} was already used by this task; every input request needs a key of its own`)
    return reply === null ? undefined : toRecord(reply as string[])
  }

  async answerInput (id: string, responses: Record<string, Result>): Promise<string[]> {
    const args: Array<string | number> = [this.taskPrefix + id, Date.now()]
    for (const [key, response] of Object.entries(responses)) args.push(key, JSON.stringify(response))
    return await this.guard.run(answerInput.run(this.client, args) as Promise<string[]>)
  }

  async list (owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const after = cursor === undefined ? undefined : decodeTaskCursor(cursor)
    const pages = await this.guard.run(list.run(this.client, [this.ownerPrefix + owner, this.taskPrefix, after?.[0] ?? '', after?.[1] ?? '', limit + 1]) as Promise<string[][]>)
    const tasks = pages.map(toRecord)
    if (tasks.length <= limit) return { tasks }
    tasks.length = limit
    return { tasks, nextCursor: encodeTaskCursor(tasks[limit - 1]) }
  }

  async delete (id: string): Promise<boolean> {
    return await this.guard.run(remove.run(this.client, [this.taskPrefix + id, this.ownerPrefix, this.livePrefix, this.all, id])) === 1
  }

  async sweep (now = Date.now()): Promise<number> {
    return await this.guard.run(sweep.run(this.client, [this.all, now, this.ownerPrefix, this.livePrefix]) as Promise<number>)
  }

  async close (): Promise<void> {
    clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  private hgetall (id: string): Promise<string[]> {
    return hgetall.run(this.client, [this.taskPrefix + id]) as Promise<string[]>
  }
}

const hgetall = new Script(`return redis.call('HGETALL', KEYS[1])`, 1)
