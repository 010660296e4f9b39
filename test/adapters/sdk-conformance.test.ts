// The official MCP conformance suite against an everything server written with the official
// SDK and served through fromSdkServer: the proof that SDK servers run over this transport
// unchanged, at the frozen 2025-11-25 requirement set, with no expected-failures file.
import tap, { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport from '../../lib/index.js'
import { fromSdkServer } from '../../lib/adapters/index.js'
import { assertPollingPassed, assertScoredPassed, runConformance, statuses } from '../interop/conformance-runner.js'
import { createSdkEverythingServer } from './sdk-everything-server.js'

// One suite run of a few seconds, bounded by runConformance's own timeout (90 s);
// the file's budget is raised above tap's default so a loaded machine does not cut it short.
tap.setTimeout(120_000)

test('an SDK-built everything server behind fromSdkServer passes --requirements 2025-11-25', async (t) => {
  const adapter = fromSdkServer(() => createSdkEverythingServer())
  const app = Fastify()
  await app.register(mcpTransport, { server: adapter })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const run = await runConformance(`http://localhost:${port}/mcp`, ['--requirements', '2025-11-25'])
  assertScoredPassed(t, run, 'SDK server via fromSdkServer')
  const schema = run.scenarios.get('json-schema-2020-12') ?? []
  t.comment(`json-schema-2020-12: ${statuses(schema)}`)
  t.ok(schema.length >= 7 && schema.every((c) => c.status === 'SUCCESS'), 'json-schema-2020-12 passes through the adapter too')
  // Pending; passes with issue 4's resumability (extra.closeSSEStream maps to ctx.closeStream()).
  const polling = run.scenarios.get('server-sse-polling')
  t.comment(`server-sse-polling (pending): ${statuses(polling)}`)
  assertPollingPassed(t, polling)

  // Every session the suite opened ended with DELETE or at close; none is left behind.
  await app.close()
  t.equal(adapter.size, 0, 'every per-session SDK server was closed')
})
