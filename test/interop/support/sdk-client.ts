import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

/** One HTTP request the SDK client made, as the server received it. */
export interface SeenRequest {
  method: string
  headers: Headers
  body: unknown
  /** The response's status and media type, once it arrived. */
  status?: number
  contentType?: string | null
}

export interface SdkConnection {
  client: Client
  transport: StreamableHTTPClientTransport
  /** Every request the client sent, in order (POST bodies parsed). */
  seen: SeenRequest[]
  /** Errors the transport reported (a dropped stream, a failed reconnect). */
  errors: Error[]
  /** Closes the client: aborts its streams and any reconnect it scheduled. */
  close: () => Promise<void>
}

export interface SdkConnectOptions {
  /**
   * Protocol version to put in the initialize request instead of the SDK's latest. The SDK
   * has no option for this, so the request is rewritten on its way out; everything after
   * initialize is the SDK's own behaviour for the version the server agreed to.
   */
  protocolVersion?: string
}

/**
 * The official client over Streamable HTTP, with a fetch that records what it sends.
 * Reconnects are off: a test that ends a stream wants to see it stay ended, not a GET
 * retried a second later.
 */
export async function connectSdkClient (url: URL, options: SdkConnectOptions = {}): Promise<SdkConnection> {
  const seen: SeenRequest[] = []
  const errors: Error[] = []
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers)
    let body: unknown
    if (typeof init?.body === 'string') {
      body = JSON.parse(init.body)
      const message = body as { method?: string, params?: Record<string, unknown> }
      if (options.protocolVersion !== undefined && message.method === 'initialize') {
        message.params = { ...message.params, protocolVersion: options.protocolVersion }
        init = { ...init, body: JSON.stringify(message) }
      }
    }
    const record: SeenRequest = { method: init?.method ?? 'GET', headers, body }
    seen.push(record)
    const response = await fetch(input, init)
    record.status = response.status
    record.contentType = response.headers.get('content-type')
    return response
  }
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: recordingFetch,
    reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 }
  })
  transport.onerror = (err) => { errors.push(err) }
  const client = new Client({ name: 'sdk-interop-test', version: '1.0.0' }, { capabilities: {} })
  // connect() wraps the onerror set above, so errors keep being recorded after it.
  await client.connect(transport)
  return { client, transport, seen, errors, close: () => client.close() }
}
