// Reads a target's bench_stats tool (every target has one, so memory figures come from the
// same place everywhere; heap figures are only exact when the target has --expose-gc).
import { resultText, type McpClient } from '../harness/mcp-client.js'
import type { BenchStats } from '../targets/lifecycle.js'

export async function benchStats (client: McpClient, session: string, gc = true): Promise<BenchStats & { gc: boolean }> {
  const answer = await client.callTool(session, 'bench_stats', { gc })
  const text = resultText(answer)
  if (answer.status !== 200 || text === undefined) throw new Error(`bench_stats failed: ${answer.status} ${answer.body.slice(0, 200)}`)
  return JSON.parse(text) as BenchStats & { gc: boolean }
}
