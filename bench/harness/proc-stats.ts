// What /proc says about a target process, and the machine the bench ran on.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

let clockTicks: number | null = null

/** Kernel clock ticks per second (utime/stime unit); 100 on every common Linux. */
function ticksPerSecond (): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** CPU seconds (user + system) the process has used so far; null when /proc is unreadable. */
export function cpuSeconds (pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    return (utime + stime) / ticksPerSecond()
  } catch {
    return null
  }
}

/** Resident set size in bytes (VmRSS); null when /proc is unreadable. */
export function rssBytes (pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return match === null ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  kernel: string
  loadAverage: string
  pinning: string
  /** The commit measured, and whether lib/ had uncommitted changes (others edit it live). */
  revision: string
}

function revision (): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'types'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return dirty === '' ? head : `${head} with uncommitted changes in lib/ or types/ (${dirty.split('\n').length} files)`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

export function describeMachine (pinning: string): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match !== null) cpu = match[1].trim()
  } catch {}
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    pinning,
    revision: revision()
  }
}
