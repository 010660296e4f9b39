import { test } from 'tap'
import { DEFAULT_DEPRECATED_ROUTES, DEFAULT_LEGACY_SSE, resolveOptions } from '../../lib/options.js'
import { testServer } from '../helpers.js'

test('legacySse and deprecatedRoutes default to on', async (t) => {
  const options = resolveOptions({ server: testServer() })
  t.equal(options.legacySse, DEFAULT_LEGACY_SSE)
  t.equal(options.deprecatedRoutes, DEFAULT_DEPRECATED_ROUTES)
  t.equal(DEFAULT_LEGACY_SSE, true)
  t.equal(DEFAULT_DEPRECATED_ROUTES, true)
})

test('legacySse and deprecatedRoutes accept false', async (t) => {
  const options = resolveOptions({ server: testServer(), legacySse: false, deprecatedRoutes: false })
  t.equal(options.legacySse, false)
  t.equal(options.deprecatedRoutes, false)
})

test('a non-boolean legacySse or deprecatedRoutes is refused at registration, naming the option', async (t) => {
  t.throws(() => resolveOptions({ server: testServer(), legacySse: 'yes' as never }), {
    code: 'FST_MCP_INVALID_OPTION',
    message: 'fastify-mcp-transport: option "legacySse" is "yes"; expected true or false'
  })
  t.throws(() => resolveOptions({ server: testServer(), deprecatedRoutes: 1 as never }), {
    code: 'FST_MCP_INVALID_OPTION',
    message: 'fastify-mcp-transport: option "deprecatedRoutes" is 1; expected true or false'
  })
})
