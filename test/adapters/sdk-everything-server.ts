// The conformance "everything server" written with the official SDK (1.32.x) the way an SDK
// user writes it: McpServer for resources, prompts and completions, the low-level Server
// handlers for tools (so their JSON Schemas are listed exactly as written). It is served over
// fastify-mcp-transport through fromSdkServer; nothing in it knows which transport carries it.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import { completable } from '@modelcontextprotocol/sdk/server/completable.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest
} from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { JSON_SCHEMA_2020_12_INPUT, TEST_AUDIO_BASE64, TEST_IMAGE_BASE64 } from '../../examples/conformance-server.js'

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>

interface SdkTool {
  name: string
  description: string
  inputSchema: Record<string, unknown>
  run: (args: Record<string, unknown>, extra: Extra) => Promise<CallToolResult> | CallToolResult
}

const NO_ARGUMENTS = { type: 'object', properties: {} }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] })

async function log (extra: Extra, data: string): Promise<void> {
  await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data } })
}

async function progress (extra: Extra, value: number): Promise<void> {
  const progressToken = extra._meta?.progressToken
  if (progressToken === undefined) return
  await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: value, total: 100 } })
}

async function elicit (extra: Extra, params: Record<string, unknown>): Promise<string> {
  const result = await extra.sendRequest({ method: 'elicitation/create', params: params as any }, ElicitResultSchema)
  return `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`
}

const TOOLS: SdkTool[] = [
  { name: 'test_simple_text', description: 'Returns a simple text response', inputSchema: NO_ARGUMENTS, run: () => text('This is a simple text response for testing.') },
  {
    name: 'test_image_content',
    description: 'Returns an image',
    inputSchema: NO_ARGUMENTS,
    run: () => ({ content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }] })
  },
  {
    name: 'test_audio_content',
    description: 'Returns audio',
    inputSchema: NO_ARGUMENTS,
    run: () => ({ content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }] })
  },
  {
    name: 'test_embedded_resource',
    description: 'Returns an embedded resource',
    inputSchema: NO_ARGUMENTS,
    run: () => ({ content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }] })
  },
  {
    name: 'test_multiple_content_types',
    description: 'Returns text, an image and a resource',
    inputSchema: NO_ARGUMENTS,
    run: () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } }
      ]
    })
  },
  {
    name: 'test_tool_with_logging',
    description: 'Sends three log messages while it runs',
    inputSchema: NO_ARGUMENTS,
    run: async (_args, extra) => {
      await log(extra, 'Tool execution started')
      await sleep(50)
      await log(extra, 'Tool processing data')
      await sleep(50)
      await log(extra, 'Tool execution completed')
      return text('Tool with logging executed successfully')
    }
  },
  {
    name: 'test_tool_with_progress',
    description: 'Reports progress 0, 50 and 100 of 100',
    inputSchema: NO_ARGUMENTS,
    run: async (_args, extra) => {
      await progress(extra, 0)
      await sleep(50)
      await progress(extra, 50)
      await sleep(50)
      await progress(extra, 100)
      return text('Progress reported')
    }
  },
  {
    name: 'test_error_handling',
    description: 'Always fails with a tool error',
    inputSchema: NO_ARGUMENTS,
    run: () => { throw new Error('This tool intentionally returns an error for testing') }
  },
  {
    name: 'test_reconnection',
    description: 'Closes its SSE stream mid-call; the result arrives on the GET resume (SEP-1699)',
    inputSchema: NO_ARGUMENTS,
    run: async (_args, extra) => {
      await log(extra, 'Closing the stream; reconnect with Last-Event-ID for the result')
      extra.closeSSEStream?.()
      await sleep(100)
      return text('Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.')
    }
  },
  {
    name: 'test_sampling',
    description: 'Asks the client to sample an LLM completion',
    inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
    run: async (args, extra) => {
      const result = await extra.sendRequest({
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }], maxTokens: 100 }
      }, CreateMessageResultSchema)
      const content = result.content as { text?: string }
      return text(`LLM response: ${content.text ?? 'No response'}`)
    }
  },
  {
    name: 'test_elicitation',
    description: 'Asks the user for input',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    run: async (args, extra) => text(`User response: ${await elicit(extra, {
      message: String(args.message),
      requestedSchema: {
        type: 'object',
        properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
        required: ['username', 'email']
      }
    })}`)
  },
  {
    name: 'test_elicitation_sep1034_defaults',
    description: 'Elicitation with defaults (SEP-1034)',
    inputSchema: NO_ARGUMENTS,
    run: async (_args, extra) => text(`Elicitation completed: ${await elicit(extra, {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', default: 'John Doe' },
          age: { type: 'integer', default: 30 },
          score: { type: 'number', default: 95.5 },
          status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', default: true }
        }
      }
    })}`)
  },
  {
    name: 'test_elicitation_sep1330_enums',
    description: 'Elicitation with the five enum shapes (SEP-1330)',
    inputSchema: NO_ARGUMENTS,
    run: async (_args, extra) => text(`Elicitation completed: ${await elicit(extra, {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          titledSingle: { type: 'string', oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }] },
          legacyEnum: { type: 'string', enum: ['opt1', 'opt2'], enumNames: ['Option One', 'Option Two'] },
          untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2'] } },
          titledMulti: { type: 'array', items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }] } }
        }
      }
    })}`)
  },
  {
    name: 'json_schema_2020_12_tool',
    description: 'Tool with JSON Schema 2020-12 features',
    inputSchema: JSON_SCHEMA_2020_12_INPUT,
    run: (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)
  }
]

export function createSdkEverythingServer (): McpServer {
  const server = new McpServer({ name: 'sdk-everything-server', version: '1.0.0' }, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {}
    }
  })

  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema: inputSchema as any }))
  }))
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = TOOLS.find((t) => t.name === request.params.name)
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    try {
      return await tool.run(request.params.arguments ?? {}, extra)
    } catch (err) {
      return { content: [{ type: 'text', text: (err as Error).message }], isError: true }
    }
  })

  server.registerResource('static-text', 'test://static-text', { description: 'A static text resource', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }))
  server.registerResource('static-binary', 'test://static-binary', { description: 'A static binary resource', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }))
  server.registerResource('watched-resource', 'test://watched-resource', { description: 'A resource to subscribe to', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }] }))
  server.registerResource('template', new ResourceTemplate('test://template/{id}/data', {
    list: undefined,
    complete: { id: (value) => ['123', '456'].filter((id) => id.startsWith(value)) }
  }), { description: 'A resource template', mimeType: 'application/json' },
  (uri, { id }) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }]
  }))
  const subscriptions = new Set<string>()
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => { subscriptions.add(request.params.uri); return {} })
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => { subscriptions.delete(request.params.uri); return {} })

  server.registerPrompt('test_simple_prompt', { description: 'A simple prompt without arguments' },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }))
  server.registerPrompt('test_prompt_with_arguments', {
    description: 'A prompt with required arguments',
    argsSchema: {
      arg1: completable(z.string().describe('First test argument'), (value) => ['paris', 'park', 'party'].filter((v) => v.startsWith(value))),
      arg2: z.string().describe('Second test argument')
    }
  }, ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }))
  server.registerPrompt('test_prompt_with_embedded_resource', {
    description: 'A prompt that includes an embedded resource',
    argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') }
  }, ({ resourceUri }) => ({
    messages: [
      { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } }
    ]
  }))
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt that includes image content' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } }
    ]
  }))
  return server
}
