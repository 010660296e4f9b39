// Summarises a V8 .cpuprofile (from node --cpu-prof): where the time went, by function
// (self time), by function including callees (total time), and by package.
// Standalone: node dist/bench/profile/summarize.js <file.cpuprofile> [top]
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Where a frame's code lives: our lib, a package, node internals, or V8 itself. */
export function packageOf (url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(idle)' || functionName === '(program)') return functionName
    return 'native/V8'
  }
  if (url.startsWith('node:')) return 'node internals'
  const lib = /\/dist\/(lib|bench)\//.exec(url)
  if (lib !== null) return lib[1] === 'lib' ? 'our lib/' : 'bench target code'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/g
  let last: string | null = null
  for (let match = pkg.exec(url); match !== null; match = pkg.exec(url)) last = match[1]
  return last ?? url
}

function shortUrl (url: string): string {
  const dist = url.indexOf('/dist/')
  if (url.includes('/dist/lib/') || url.includes('/dist/bench/')) return url.slice(dist + 1)
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length)
  return url.replace(/^file:\/\//, '')
}

function frameKey (frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  return frame.url === '' ? name : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
}

export interface ProfileSummary {
  totalMs: number
  busyMs: number
  self: Array<[string, number]>
  total: Array<[string, number]>
  /** Our lib/ functions only, by total time: which of our layers the time goes through. */
  lib: Array<[string, number]>
  packages: Array<[string, number]>
  /** Self time of every function, for comparing two profiles. */
  selfAll: Map<string, number>
}

/**
 * `window` (µs on the monotonic clock, which V8's profile timestamps and process.hrtime in
 * any process share on Linux) keeps only the samples of a measured window, leaving start-up,
 * warm-up and set-up out.
 */
export function summarize (profile: CpuProfile, top = 25, window?: { from: number, to: number }): ProfileSummary {
  const byId = new Map<number, ProfileNode>()
  for (const node of profile.nodes) byId.set(node.id, node)
  const selfById = new Map<number, number>()
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (window !== undefined && (at < window.from || at > window.to)) continue
    selfById.set(id, (selfById.get(id) ?? 0) + delta / 1000)
  }
  const self = new Map<string, number>()
  const packages = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  for (const [id, ms] of selfById) {
    const frame = byId.get(id)!.callFrame
    totalMs += ms
    if (frame.functionName === '(idle)') idleMs += ms
    self.set(frameKey(frame), (self.get(frameKey(frame)) ?? 0) + ms)
    const pkg = packageOf(frame.url, frame.functionName)
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms)
  }
  // Total (inclusive) time: each node's self time counted once for every distinct function
  // on its stack, so recursion does not count a function twice.
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>()
  for (const [id, ms] of selfById) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = frameKey(byId.get(at)!.callFrame)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms)
    }
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1])
  const notRoot = ([key]: [string, number]): boolean => !['(root)', '(program)', '(idle)'].includes(key.split(' ')[0])
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    self: sorted(self).filter(notRoot).slice(0, top),
    total: sorted(inclusive).filter(notRoot).slice(0, top),
    lib: sorted(inclusive).filter(([key]) => key.includes(' dist/lib/')).slice(0, top),
    packages: sorted(packages),
    selfAll: self
  }
}

/** Markdown tables of a summary; with `requests`, each figure also as µs per request. */
export function summaryMarkdown (title: string, summary: ProfileSummary, requests?: number): string {
  const pct = (ms: number): string => `${((ms / summary.busyMs) * 100).toFixed(1)} %`
  const per = requests === undefined || requests === 0 ? null : (ms: number): string => ((ms * 1000) / requests).toFixed(2)
  const head = (what: string): string[] => per === null
    ? [`| ${what} | ms | share |`, '| --- | ---: | ---: |']
    : [`| ${what} | ms | share | µs/req |`, '| --- | ---: | ---: | ---: |']
  const row = (name: string, ms: number): string => `| ${name} | ${ms.toFixed(0)} | ${pct(ms)} |${per === null ? '' : ` ${per(ms)} |`}`
  const out = [`### ${title}`, '', `${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms not idle (shares are of the non-idle time)` +
    `${per === null ? '' : `; ${requests!.toLocaleString('en-US')} requests, ${per(summary.busyMs)} µs of CPU per request`}.`, '']
  out.push('By package (self time):', '', ...head('where'))
  for (const [pkg, ms] of summary.packages) if (pkg !== '(idle)') out.push(row(pkg, ms))
  out.push('', 'Top functions by self time:', '', ...head('function'))
  for (const [key, ms] of summary.self) out.push(row(`\`${key}\``, ms))
  out.push('', 'Top functions by total time (including callees):', '', ...head('function'))
  for (const [key, ms] of summary.total) out.push(row(`\`${key}\``, ms))
  out.push('', 'Our lib/ functions by total time:', '', ...head('function'))
  for (const [key, ms] of summary.lib) out.push(row(`\`${key}\``, ms))
  return out.join('\n') + '\n'
}

/**
 * Where profile `a` spends more CPU per request than profile `b`, function by function
 * (self time): the cost of what `a` does beyond `b`, e.g. our plugin beyond bare Fastify.
 */
export function differenceMarkdown (title: string, a: ProfileSummary, aRequests: number, b: ProfileSummary, bRequests: number, top = 25): string {
  const keys = new Set([...a.selfAll.keys(), ...b.selfAll.keys()])
  const rows: Array<[string, number, number]> = []
  for (const key of keys) {
    if (key.startsWith('(idle)') || key.startsWith('(root)')) continue
    const ua = ((a.selfAll.get(key) ?? 0) * 1000) / aRequests
    const ub = ((b.selfAll.get(key) ?? 0) * 1000) / bRequests
    rows.push([key, ua, ub])
  }
  rows.sort((x, y) => (y[1] - y[2]) - (x[1] - x[2]))
  const busyA = (a.busyMs * 1000) / aRequests
  const busyB = (b.busyMs * 1000) / bRequests
  const out = [`### ${title}`, '', `CPU per request: ${busyA.toFixed(1)} µs against ${busyB.toFixed(1)} µs, ${(busyA - busyB).toFixed(1)} µs more. The functions that account for it (self time):`, '',
    '| function | µs/req | µs/req in the other | difference |', '| --- | ---: | ---: | ---: |']
  for (const [key, ua, ub] of rows.slice(0, top)) out.push(`| \`${key}\` | ${ua.toFixed(2)} | ${ub.toFixed(2)} | ${(ua - ub).toFixed(2)} |`)
  return out.join('\n') + '\n'
}

export function summarizeFile (path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  return summaryMarkdown(path, summarize(profile, top))
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2]
  if (path === undefined) {
    process.stderr.write('usage: node dist/bench/profile/summarize.js <file.cpuprofile> [top]\n')
    process.exit(1)
  }
  process.stdout.write(summarizeFile(path, Number(process.argv[3] ?? 25)))
}
