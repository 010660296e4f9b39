import { FST_MCP_TELEMETRY_UNAVAILABLE } from '../errors.js'
import { Telemetry, type OpenTelemetry, type TelemetryProviders } from './telemetry.js'

export const OPENTELEMETRY_API = '@opentelemetry/api'

/**
 * Loads @opentelemetry/api (an optional peer dependency) only when the `telemetry` option
 * asks for it, at registration; an app without the option never imports it. `specifier`
 * is for tests of a missing package.
 */
export async function loadTelemetry (providers: TelemetryProviders, specifier: string = OPENTELEMETRY_API): Promise<Telemetry> {
  let api: OpenTelemetry
  try {
    api = await import(specifier) as OpenTelemetry
  } catch (err) {
    throw new FST_MCP_TELEMETRY_UNAVAILABLE((err as Error).message)
  }
  return new Telemetry(api, providers)
}
