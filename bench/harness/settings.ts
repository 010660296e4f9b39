// Command-line options and the two profiles (default and --quick) they select.
export interface LoadWindow {
  warmup: number
  duration: number
  connections: number
}

export interface Settings {
  quick: boolean
  runs: number
  /** Whole run's budget in seconds; steps that would overrun it are skipped and reported. */
  budget: number
  call: LoadWindow
  init: LoadWindow
  large: LoadWindow
  progress: LoadWindow
  sseSizes: number[]
  memorySessions: number
  targets: string[] | null
  workloads: string[] | null
  profile: boolean
  write: boolean
}

const DEFAULTS: Omit<Settings, 'targets' | 'workloads' | 'profile' | 'write'> = {
  quick: false,
  runs: 3,
  budget: 570,
  call: { warmup: 2, duration: 4, connections: 50 },
  init: { warmup: 1, duration: 3, connections: 50 },
  large: { warmup: 1, duration: 3, connections: 10 },
  progress: { warmup: 1, duration: 3, connections: 50 },
  sseSizes: [1000, 10000],
  memorySessions: 100_000
}

const QUICK: Omit<Settings, 'targets' | 'workloads' | 'profile' | 'write'> = {
  quick: true,
  runs: 1,
  budget: 95,
  call: { warmup: 1, duration: 2, connections: 50 },
  init: { warmup: 1, duration: 2, connections: 50 },
  large: { warmup: 1, duration: 2, connections: 10 },
  progress: { warmup: 1, duration: 2, connections: 50 },
  sseSizes: [1000],
  memorySessions: 10_000
}

export const USAGE = `npm run bench -- [options]
  --quick              one run per target, short windows, 1,000 streams, 10,000 sessions (< 2 min)
  --runs N             runs per target and workload (median reported); default 3
  --targets a,b        plugin, plugin-redis, bare, sdk-node, sdk-fastify, sdk2-fastify
  --workloads a,b      call, init, large, progress, sse-1000, sse-10000, memory
  --budget SECONDS     stop starting new steps after this long; default 570 (quick: 95)
  --profile            profile our plugin with --cpu-prof on call and init (writes under /tmp)
  --no-write           print the report without writing bench/results/`

function list (value: string | undefined, flag: string): string[] {
  if (value === undefined || value === '') throw new Error(`${flag} needs a comma-separated list`)
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '')
}

function positive (value: string | undefined, flag: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${String(value)}`)
  return n
}

export function parseSettings (argv: string[]): Settings {
  const quick = argv.includes('--quick')
  const settings: Settings = { ...structuredClone(quick ? QUICK : DEFAULTS), targets: null, workloads: null, profile: false, write: true }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    switch (flag) {
      case '--quick': break
      case '--runs': settings.runs = Math.round(positive(argv[++i], flag)); break
      case '--budget': settings.budget = positive(argv[++i], flag); break
      case '--targets': settings.targets = list(argv[++i], flag); break
      case '--workloads': settings.workloads = list(argv[++i], flag); break
      case '--profile': settings.profile = true; break
      case '--no-write': settings.write = false; break
      case '--help': case '-h': throw new Error(USAGE)
      default: throw new Error(`Unknown option ${flag}\n${USAGE}`)
    }
  }
  return settings
}
