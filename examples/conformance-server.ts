// The "everything server" the official MCP conformance suite tests
// (`conformance server --url http://localhost:3001/mcp`): every tool, resource and prompt the
// server scenarios call, with the exact texts they check
// (@modelcontextprotocol/conformance, scenario descriptions). `npm run conformance:server`
// starts it on 127.0.0.1:$PORT (default 3001), path /mcp.
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import mcpTransport, { createMcpServer, ErrorCode, McpError, type HandlerContext, type McpServer, type McpTransportOptions } from '../lib/index.js'
import { sharedStateFromEnv } from './shared-state.js'

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
const NAME_SCHEMA = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }
const COLOR_SCHEMA = { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] }
const CONFIRM_SCHEMA = { type: 'object', properties: { ok: { type: 'boolean' } } }
const CITIES = ['paris', 'park', 'party', 'prague', 'porto']

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function text (value: string) {
  return { content: [{ type: 'text', text: value }] }
}

function elicitationSummary (action: string, content: unknown): string {
  return `Elicitation completed: action=${action}, content=${JSON.stringify(content ?? {})}`
}

function registerTools (server: McpServer): void {
  let dynamicTools = 0
  let dynamicPrompts = 0
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

  // 2026-07-28 (server-stateless): sampling without the client's sampling capability is -32021.
  server.tool('test_missing_capability', { description: 'Needs the sampling capability; fails with -32021 when the client lacks it', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'ping' } }], maxTokens: 10 })
      return text('The client declared sampling')
    })

  // 2026-07-28: log messages only reach a request that set _meta logLevel.
  server.tool('test_logging_tool', { description: 'Logs one message (sent only if the request set a logLevel)', input: NO_ARGUMENTS },
    (_args, ctx) => {
      ctx.log('info', 'test_logging_tool ran')
      return text('Logging tool executed')
    })

  // 2026-07-28 subscriptions/listen: changing a list notifies the listen streams that asked.
  server.tool('test_trigger_tool_change', { description: 'Adds a tool, so tools/list_changed is sent', input: NO_ARGUMENTS },
    () => {
      server.tool(`test_dynamic_tool_${++dynamicTools}`, { description: 'Added by test_trigger_tool_change', input: NO_ARGUMENTS }, () => text('dynamic'))
      return text('Tool list changed')
    })

  server.tool('test_trigger_prompt_change', { description: 'Adds a prompt, so prompts/list_changed is sent', input: NO_ARGUMENTS },
    () => {
      server.prompt(`test_dynamic_prompt_${++dynamicPrompts}`, { description: 'Added by test_trigger_prompt_change' }, () => 'dynamic')
      return text('Prompt list changed')
    })

  // 2026-07-28 MRTR (input-required-result-*, SEP-2322): in the modern era ctx.elicit,
  // ctx.sample and ctx.listRoots answer input_required; the client retries with the answers.
  server.tool('test_streaming_elicitation', { description: 'Asks for input; in 2026-07-28 that is an input_required result, never a request on the stream', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const result = await ctx.elicit({ message: 'Your name?', requestedSchema: NAME_SCHEMA })
      return text(`Elicitation answered: ${result.action}`)
    })

  server.tool('test_input_required_result_elicitation', { description: 'Asks for the user name (input_required)', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const result = await ctx.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }, { key: 'user_name' })
      return text(`Hello, ${String(result.content?.name ?? 'unknown')}!`)
    })

  server.tool('test_input_required_result_sampling', { description: 'Asks the client LLM (input_required)', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const result = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 }, { key: 'capital_question' })
      const content = Array.isArray(result.content) ? result.content[0] : result.content
      return text(`LLM said: ${String(content?.text ?? '')}`)
    })

  server.tool('test_input_required_result_list_roots', { description: 'Asks for the client roots (input_required)', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const { roots } = await ctx.listRoots({ key: 'client_roots' })
      return text(`Roots: ${roots.map((root) => root.uri).join(', ')}`)
    })

  server.tool('test_input_required_result_request_state', { description: 'Round trip with a signed requestState', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      await ctx.elicit({ message: 'Confirm?', requestedSchema: CONFIRM_SCHEMA }, { key: 'confirm' })
      // Reaching here means the server verified the echoed requestState's signature.
      return text('state-ok: the requestState was verified')
    })

  server.tool('test_input_required_result_multiple_inputs', { description: 'Asks for three inputs at once', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const [user, answer, { roots }] = await Promise.all([
        ctx.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }, { key: 'user_name' }),
        ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }], maxTokens: 50 }, { key: 'greeting' }),
        ctx.listRoots({ key: 'client_roots' })
      ])
      return text(`Got ${user.action}, a ${answer.model} answer and ${roots.length} roots`)
    })

  server.tool('test_input_required_result_multi_round', { description: 'Two rounds of input', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const first = await ctx.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }, { key: 'step1' })
      const second = await ctx.elicit({ message: 'Favourite colour?', requestedSchema: COLOR_SCHEMA }, { key: 'step2' })
      return text(`${String(first.content?.name)} likes ${String(second.content?.color)}`)
    })

  server.tool('test_input_required_result_tampered_state', { description: 'Rejects a requestState that fails its HMAC check', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      await ctx.elicit({ message: 'Confirm?', requestedSchema: CONFIRM_SCHEMA }, { key: 'confirm' })
      return text('state verified')
    })

  server.tool('test_input_required_result_capabilities', { description: 'Asks only for what the client declared', input: NO_ARGUMENTS },
    async (_args, ctx) => {
      const asks: Array<Promise<unknown>> = []
      if (ctx.clientCapabilities.sampling !== undefined) {
        asks.push(ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }], maxTokens: 50 }, { key: 'greeting' }))
      }
      if (ctx.clientCapabilities.elicitation !== undefined) {
        asks.push(ctx.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }, { key: 'user_name' }))
      }
      await Promise.all(asks)
      return text(`Answered ${asks.length} input requests`)
    })

  // SEP-2243 (http-custom-header-server-validation): parameters mirrored in Mcp-Param-* headers.
  server.tool('test_custom_headers', {
    description: 'Routes on Mcp-Param-Region; the server checks it against the body',
    input: {
      type: 'object',
      properties: {
        region: { type: 'string', description: 'Mirrored in Mcp-Param-Region', 'x-mcp-header': 'Region' },
        query: { type: 'string', description: 'Not mirrored' }
      },
      required: ['region']
    }
  }, ({ region }: { region: string }) => text(`Region: ${region}`))

  server.tool('json_schema_2020_12_tool', { description: 'Tool with JSON Schema 2020-12 features', input: JSON_SCHEMA_2020_12_INPUT },
    (args: unknown) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`))
}

/** Resolves after `ms`, or at once when the signal aborts (a cancelled task stops working). */
function interruptibleSleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

// io.modelcontextprotocol/tasks (the ten tasks-* scenarios, SEP-2663): one definition per
// tool serves a plain call, a 2026-07-28 task and a 2025-11-25 task-augmented call.
function registerTaskTools (server: McpServer): void {
  server.tool('greet', { description: 'Greets by name (never a task)', input: NAME_SCHEMA },
    ({ name }: { name: string }) => text(`Hello, ${name}!`))

  server.tool('slow_compute', {
    description: 'Sleeps `seconds`, then answers; may run as a task',
    input: { type: 'object', properties: { seconds: { type: 'number' }, label: { type: 'string' } } },
    taskSupport: 'optional'
  }, async ({ seconds = 0, label = '' }: { seconds?: number, label?: string }, ctx: HandlerContext) => {
    await ctx.setStatusMessage(`Computing ${label} for ${seconds} s`)
    await interruptibleSleep(seconds * 1000, ctx.signal)
    return text(`Computed ${label} after ${seconds} s`)
  })

  // Registered as requiring a task: a client without the extension gets -32021 before it runs.
  server.tool('failing_job', { description: 'Fails with a tool error after about a second', input: NO_ARGUMENTS, taskSupport: 'required' },
    async (_args, ctx) => {
      await interruptibleSleep(1000, ctx.signal)
      return { content: [{ type: 'text', text: 'failing_job failed on purpose' }], isError: true }
    })

  server.tool('protocol_error_job', { description: 'Fails with a JSON-RPC error (task failed)', input: NO_ARGUMENTS, taskSupport: 'optional' },
    async () => { throw new McpError(ErrorCode.InternalError, 'protocol_error_job failed on purpose') })

  server.tool('confirm_delete', {
    description: 'Asks the user to confirm, then deletes (one elicitation)',
    input: { type: 'object', properties: { filename: { type: 'string' } } },
    taskSupport: 'optional'
  }, async ({ filename = 'file' }: { filename?: string }, ctx: HandlerContext) => {
    const answer = await ctx.elicit({ message: `Delete ${filename}?`, requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } } } }, { key: 'confirm' })
    return text(answer.action === 'accept' ? `Deleted ${filename}` : `Kept ${filename}`)
  })

  server.tool('multi_input', { description: 'Asks two questions at once', input: NO_ARGUMENTS, taskSupport: 'optional' },
    async (_args, ctx) => {
      const [first, second] = await Promise.all([
        ctx.elicit({ message: 'First name?', requestedSchema: NAME_SCHEMA }, { key: 'first' }),
        ctx.elicit({ message: 'Second name?', requestedSchema: NAME_SCHEMA }, { key: 'second' })
      ])
      return text(`Got ${String(first.content?.name)} and ${String(second.content?.name)}`)
    })

  // MRTR first (an input_required round asking user_name), then the task (tasks-mrtr-composition).
  server.tool('test_tool_with_task', { description: 'Asks for a name, then works on it as a task', input: NO_ARGUMENTS, taskSupport: 'required', taskStart: 'handler' },
    async (_args, ctx) => {
      const answer = await ctx.elicit({ message: 'What is your name?', requestedSchema: NAME_SCHEMA }, { key: 'user_name' })
      await ctx.startTask()
      await interruptibleSleep(200, ctx.signal)
      return text(`Hello from the task, ${String(answer.content?.name)}!`)
    })
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

  server.prompt('test_input_required_result_prompt', { title: 'Prompt Needing Input', description: 'Asks for context first (input_required)' },
    async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: 'What context should the prompt use?',
        requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] }
      }, { key: 'prompt_context' })
      return `Prompt with context: ${String(answer.content?.context)}`
    })

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
  registerTaskTools(server)
  registerResources(server)
  registerPrompts(server)
  return server
}

/**
 * A Fastify app serving the conformance server on /mcp (not listening yet). The transport
 * options may be a function of the app, for options that hook into it (the shared state's
 * Redis client is quit in an onClose hook).
 */
export async function buildConformanceApp (
  fastifyOptions: FastifyServerOptions = {},
  transportOptions: Partial<McpTransportOptions> | ((app: FastifyInstance) => Promise<Partial<McpTransportOptions>>) = {}
): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions)
  const options = typeof transportOptions === 'function' ? await transportOptions(app) : transportOptions
  await app.register(mcpTransport, { server: createConformanceServer(), ...options })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // With REDIS_URL set, the state lives in that Redis (issue 11).
  const app = await buildConformanceApp({ logger: { level: 'info' } }, sharedStateFromEnv)
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3001) })
}
