// The "everything server" the official MCP conformance suite tests
// (`conformance server --url http://localhost:3001/mcp`): every tool, resource and prompt the
// server scenarios call, with the exact texts they check
// (@modelcontextprotocol/conformance, scenario descriptions). `npm run conformance:server`
// starts it on 127.0.0.1:$PORT (default 3001), path /mcp.
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import mcpTransport, { createMcpServer, type McpServer, type McpTransportOptions } from '../lib/index.js'

// A 1x1 red PNG and a minimal WAV, base64 (tools-call-image, tools-call-audio, resources-read-binary).
export const TEST_IMAGE_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
export const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA='

// json-schema-2020-12 (SEP-1613, SEP-2106): listed byte for byte as given.
export const JSON_SCHEMA_2020_12_INPUT = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } }
    }
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' }
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false
}

const NO_ARGUMENTS = { type: 'object', properties: {} }
const CITIES = ['paris', 'park', 'party', 'prague', 'porto']

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function text (value: string) {
  return { content: [{ type: 'text', text: value }] }
}

function elicitationSummary (action: string, content: unknown): string {
  return `Elicitation completed: action=${action}, content=${JSON.stringify(content ?? {})}`
}

function registerTools (server: McpServer): void {
  server.tool('test_simple_text', { description: 'Returns a simple text response', input: NO_ARGUMENTS },
    () => text('This is a simple text response for testing.'))

  server.tool('test_image_content', { description: 'Returns an image', input: NO_ARGUMENTS },
    () => ({ content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }] }))

  server.tool('test_audio_content', { description: 'Returns audio', input: NO_ARGUMENTS },
    () => ({ content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }] }))

  server.tool('test_embedded_resource', { description: 'Returns an embedded resource', input: NO_ARGUMENTS },
    () => ({
      content: [{
        type: 'resource',
        resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' }
      }]
    }))

  server.tool('test_multiple_content_types', { description: 'Returns text, an image and a resource', input: NO_ARGUMENTS },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) }
        }
      ]
    }))

  server.tool('test_tool_with_logging', { description: 'Sends three log messages while it runs', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      ctx.log('info', 'Tool execution started')
      await sleep(50)
      ctx.log('info', 'Tool processing data')
      await sleep(50)
      ctx.log('info', 'Tool execution completed')
      return text('Tool with logging executed successfully')
    })

  server.tool('test_tool_with_progress', { description: 'Reports progress 0, 50 and 100 of 100', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      ctx.progress(0, 100, 'Completed step 0 of 100')
      await sleep(50)
      ctx.progress(50, 100, 'Completed step 50 of 100')
      await sleep(50)
      ctx.progress(100, 100, 'Completed step 100 of 100')
      return text(`Progress reported for token ${String(ctx.progressToken)}`)
    })

  server.tool('test_error_handling', { description: 'Always fails with a tool error', input: NO_ARGUMENTS },
    () => { throw new Error('This tool intentionally returns an error for testing') })

  server.tool('test_reconnection', {
    description: 'Closes its SSE stream mid-call; the result arrives when the client reconnects with Last-Event-ID (SEP-1699)',
    input: NO_ARGUMENTS
  }, async (_args, ctx) => {
    // server-sse-polling: a progress note first makes the answer an SSE stream (with its
    // priming event); closing the connection then makes the client poll back with
    // Last-Event-ID, and the result is delivered on that GET (2025-11-25 §Sending Messages #6).
    ctx.log('info', 'Closing the stream; reconnect with Last-Event-ID for the result')
    ctx.closeStream()
    await sleep(100)
    return text('Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.')
  })

  server.tool('test_sampling', {
    description: 'Asks the client to sample an LLM completion',
    input: { type: 'object', properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } }, required: ['prompt'] }
  }, async ({ prompt }: { prompt: string }, ctx) => {
    const result = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 })
    const content = Array.isArray(result.content) ? result.content[0] : result.content
    return text(`LLM response: ${String(content?.text ?? 'No response')}`)
  })

  server.tool('test_elicitation', {
    description: 'Asks the user for input',
    input: { type: 'object', properties: { message: { type: 'string', description: 'The message to show the user' } }, required: ['message'] }
  }, async ({ message }: { message: string }, ctx) => {
    const result = await ctx.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" }
        },
        required: ['username', 'email']
      }
    })
    return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)
  })

  server.tool('test_elicitation_sep1034_defaults', { description: 'Elicitation with a default for every primitive type (SEP-1034)', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const result = await ctx.elicit({
        message: 'Please review and update the form fields with defaults',
        requestedSchema: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'User name', default: 'John Doe' },
            age: { type: 'integer', description: 'User age', default: 30 },
            score: { type: 'number', description: 'User score', default: 95.5 },
            status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
            verified: { type: 'boolean', description: 'Verification status', default: true }
          },
          required: []
        }
      })
      return text(elicitationSummary(result.action, result.content))
    })

  server.tool('test_elicitation_sep1330_enums', { description: 'Elicitation with the five enum shapes (SEP-1330)', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const result = await ctx.elicit({
        message: 'Please select options from the enum fields',
        requestedSchema: {
          type: 'object',
          properties: {
            untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
            titledSingle: {
              type: 'string',
              description: 'Select one option with titles',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' }
              ]
            },
            legacyEnum: {
              type: 'string',
              description: 'Select one option (legacy)',
              enum: ['opt1', 'opt2', 'opt3'],
              enumNames: ['Option One', 'Option Two', 'Option Three']
            },
            untitledMulti: {
              type: 'array',
              description: 'Select multiple options',
              minItems: 1,
              maxItems: 3,
              items: { type: 'string', enum: ['option1', 'option2', 'option3'] }
            },
            titledMulti: {
              type: 'array',
              description: 'Select multiple options with titles',
              minItems: 1,
              maxItems: 3,
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' }
                ]
              }
            }
          },
          required: []
        }
      })
      return text(elicitationSummary(result.action, result.content))
    })

  server.tool('json_schema_2020_12_tool', { description: 'Tool with JSON Schema 2020-12 features', input: JSON_SCHEMA_2020_12_INPUT },
    (args: unknown) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`))
}

function registerResources (server: McpServer): void {
  server.resource('static-text', 'test://static-text', {
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain'
  }, () => 'This is the content of the static text resource.')

  server.resource('static-binary', 'test://static-binary', {
    title: 'Static Binary Resource',
    description: 'A static binary resource (image) for testing',
    mimeType: 'image/png'
  }, () => Buffer.from(TEST_IMAGE_BASE64, 'base64'))

  server.resource('watched-resource', 'test://watched-resource', {
    title: 'Watched Resource',
    description: 'A resource clients can subscribe to',
    mimeType: 'text/plain'
  }, () => 'Watched resource content')

  server.resourceTemplate('template', 'test://template/{id}/data', {
    title: 'Resource Template',
    description: 'A resource template with parameter substitution',
    mimeType: 'application/json',
    complete: { id: (value) => ['123', '456', '789'].filter((id) => id.startsWith(value)) }
  }, (_uri, { id }) => JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }))
}

function registerPrompts (server: McpServer): void {
  server.prompt('test_simple_prompt', { title: 'Simple Test Prompt', description: 'A simple prompt without arguments' },
    () => 'This is a simple prompt for testing.')

  server.prompt('test_prompt_with_arguments', {
    title: 'Prompt With Arguments',
    description: 'A prompt with required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true, complete: (value) => CITIES.filter((city) => city.startsWith(value)) },
      { name: 'arg2', description: 'Second test argument', required: true }
    ]
  }, ({ arg1, arg2 }) => `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)

  server.prompt('test_prompt_with_embedded_resource', {
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that includes an embedded resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }]
  }, ({ resourceUri }) => ({
    messages: [
      { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } }
    ]
  }))

  server.prompt('test_prompt_with_image', { title: 'Prompt With Image', description: 'A prompt that includes image content' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } }
      ]
    }))
}

export function createConformanceServer (): McpServer {
  const server = createMcpServer({ name: 'fastify-mcp-transport-conformance', version: '1.0.0' })
  registerTools(server)
  registerResources(server)
  registerPrompts(server)
  return server
}

/** A Fastify app serving the conformance server on /mcp (not listening yet). */
export async function buildConformanceApp (
  fastifyOptions: FastifyServerOptions = {},
  transportOptions: Partial<McpTransportOptions> = {}
): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions)
  await app.register(mcpTransport, { server: createConformanceServer(), ...transportOptions })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await buildConformanceApp({ logger: { level: 'info' } })
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) })
}
