// The shape every workload has: what it measures, which targets it applies to, how long a
// step takes (for the time budget), and how its figures are shown.
import type { Settings } from '../harness/settings.js'
import type { TargetInfo } from '../harness/targets.js'
import type { TargetProcess } from '../harness/target-process.js'

export type Metrics = Record<string, number | null>

export interface WorkloadContext {
  target: TargetProcess
  info: TargetInfo
  settings: Settings
  /** 0-based run index; once-per-target checks happen in run 0. */
  run: number
  log: (message: string) => void
}

export interface StepOutcome {
  metrics: Metrics
  notes?: string[]
}

export interface Column {
  metric: string
  label: string
  unit: 'count' | 'ms' | 'percent' | 'bytes' | 'us' | 'ratio'
  /** Show the ratio to the limit and to the fastest SDK next to the figure. */
  ratio: boolean
}

export interface Workload {
  id: string
  title: string
  /** One sentence for the report: what one step does. */
  method: string
  appliesTo: (info: TargetInfo) => boolean
  /** Extra node flags for the target process. */
  nodeArgs: string[]
  /** Runs for this target when fewer than settings.runs (default: settings.runs). */
  runsFor?: (info: TargetInfo, settings: Settings) => number
  /** Seconds one step is expected to take, start and stop included. */
  estimate: (info: TargetInfo, settings: Settings) => number
  run: (context: WorkloadContext) => Promise<StepOutcome>
  columns: Column[]
  /** The metric that decides which SDK variant is "fastest", and which way is better. */
  key: { metric: string, higherIsBetter: boolean }
}
