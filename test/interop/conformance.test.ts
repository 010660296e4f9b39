// The official MCP conformance suite against the built-in server (examples/conformance-server),
// at the frozen 2025-11-25 requirement set, with no expected-failures file: every scored
// scenario must pass. The same run also executes the scenarios 2025-11-25 does not score
// (server-session-lifecycle, and the pending json-schema-2020-12 and server-sse-polling).
import tap, { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildConformanceApp } from '../../examples/conformance-server.js'
import { assertPollingPassed, assertScoredPassed, runConformance, statuses } from './conformance-runner.js'

// Two suite runs of a few seconds each, bounded by runConformance's own timeout (90 s);
// the file's budget is raised above tap's default so a loaded machine does not cut it short.
tap.setTimeout(200_000)

async function listen (t: Test, app: FastifyInstance): Promise<string> {
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  // A localhost URL: dns-rebinding-protection only applies to localhost servers.
  return `http://localhost:${address.port}/mcp`
}

test('built-in server passes the conformance suite at --requirements 2025-11-25', async (t) => {
  const url = await listen(t, await buildConformanceApp())
  const run = await runConformance(url, ['--requirements', '2025-11-25'])
  assertScoredPassed(t, run, 'built-in server')

  // Pending scenario, made to pass here: tool input schemas are listed exactly as given.
  const schema = run.scenarios.get('json-schema-2020-12') ?? []
  t.comment(`json-schema-2020-12: ${statuses(schema)}`)
  t.ok(schema.length >= 7, 'json-schema-2020-12 ran its checks')
  t.ok(schema.every((c) => c.status === 'SUCCESS'), 'json-schema-2020-12: every check passes')

  // Pending scenario that needs resumability (issue 4: event store, priming event with a
  // retry field, RequestContext.closeStream(), GET with Last-Event-ID). test_reconnection
  // sends a log line (so the answer is an SSE stream), closes its connection and returns;
  // the result must come back on the client's GET resume. These three checks pass only
  // with issue 4's resumability in the tree (it was, uncommitted, when this was written).
  const polling = run.scenarios.get('server-sse-polling')
  t.comment(`server-sse-polling (pending): ${statuses(polling)}`)
  assertPollingPassed(t, polling)
})

test('built-in server passes the conformance suite with every answer streamed (responseMode sse)', async (t) => {
  const url = await listen(t, await buildConformanceApp({}, { responseMode: 'sse' }))
  const run = await runConformance(url, ['--requirements', '2025-11-25'])
  assertScoredPassed(t, run, 'built-in server, responseMode sse')
  const streams = run.scenarios.get('server-sse-multiple-streams') ?? []
  t.comment(`server-sse-multiple-streams: ${statuses(streams)}`)
  t.equal(streams.find((c) => c.id === 'server-sse-streams-functional')?.status, 'SUCCESS', 'three concurrent SSE answers each deliver an event')
})
