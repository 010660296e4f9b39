// The state option and redisState's own options are checked at registration, with messages
// that name the option (no Redis needed: nothing connects before they pass).
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { test } from 'tap'
import mcpTransport, { MemoryEventStore, memoryState, redisState } from '../../lib/index.js'
import { RequestStateSigner } from '../../lib/modern/request-state.js'
import { testServer } from '../helpers.js'

const client = new Redis({ lazyConnect: true })

test('redisState refuses what it cannot use, naming the option', async (t) => {
  t.throws(() => redisState({} as never), { code: 'FST_MCP_INVALID_OPTION', message: /"redisState.client"/ })
  t.throws(() => redisState({ client: { eval () {} } as never }), { message: /"redisState.client"/ })
  t.throws(() => redisState({ client, keyPrefix: 'a{b}:' }), { message: /"redisState.keyPrefix" .* without \{ or \}/ })
  t.throws(() => redisState({ client, keyPrefix: 7 as never }), { message: /"redisState.keyPrefix"/ })
  for (const name of ['maxEventsPerStream', 'maxStreamsPerSession', 'commandTimeout'] as const) {
    t.throws(() => redisState({ client, [name]: 0 }), { message: new RegExp(`"redisState.${name}" is 0; expected an integer >= 1`) })
    t.throws(() => redisState({ client, [name]: 1.5 }), { message: new RegExp(`"redisState.${name}"`) })
  }
  t.equal(redisState({ client }).kind, 'redis')
})

test('the state option: a state backend; with a shared one no eventStore and a TTL above 0', async (t) => {
  const register = (options: Record<string, unknown>) => Fastify().register(mcpTransport, { server: testServer(), ...options }).ready()
  await t.rejects(register({ state: {} }), { code: 'FST_MCP_INVALID_OPTION', message: /"state"/ })
  await t.rejects(register({ state: redisState({ client }), eventStore: new MemoryEventStore() }), { message: /"eventStore" .* the event log is the state's own/ })
  await t.rejects(register({ state: redisState({ client }), sessionTimeout: 0 }), { message: /"sessionTimeout" is 0; expected an integer >= 1 with state redis/ })
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer(), state: memoryState() })
  const health = await app.inject('/health')
  t.equal(health.json().state, 'memory')
  await app.close()
})

test('requestState keys rotate: the first signs, every one verifies', async (t) => {
  const old = new RequestStateSigner('old-key')
  const rotated = new RequestStateSigner(['new-key', 'old-key'])
  const retired = new RequestStateSigner(['new-key'])
  const inFlight = old.seal({ scope: 'tools/call greet', responses: {} })
  t.same(rotated.open(inFlight, 'tools/call greet')?.responses, {}, 'a state signed with the old key still opens')
  const fresh = rotated.seal({ scope: 'tools/call greet', responses: { a: 1 } })
  t.same(retired.open(fresh, 'tools/call greet')?.responses, { a: 1 }, 'new states are signed with the first key')
  t.equal(retired.open(inFlight, 'tools/call greet'), null, 'a dropped key no longer verifies')
  t.throws(() => new RequestStateSigner([]), /at least one key/)
})
