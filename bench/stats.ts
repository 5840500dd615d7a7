/**
 * Small statistics and scheduling helpers shared by the benchmarks.
 */
import { seededRandom } from '../test/support/random.js'

/** Median, quartiles and range of a sample. */
export interface Summary {
  median: number
  q1: number
  q3: number
  min: number
  max: number
  n: number
}

/** Linear-interpolated quantile (`q` in 0..1) of an already sorted array. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const a = sorted[lower] ?? Number.NaN
  const b = sorted[upper] ?? Number.NaN
  return a + (b - a) * (position - lower)
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  }
}

/** Element-wise ratio of two paired series (same round in both). */
export function pairedRatios(
  numerator: readonly number[],
  denominator: readonly number[],
): number[] {
  return numerator.map((value, i) => value / (denominator[i] ?? Number.NaN))
}

/** Seeded, so a run's contender orders are reproducible. */
export { seededRandom }

/** A shuffled copy of `list` (Fisher–Yates). */
export function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** One contender of an interleaved throughput run: a single operation, awaited sequentially. */
export type Operation = () => Promise<unknown>

export interface InterleaveOptions {
  rounds: number
  /** Operations per contender per round. */
  perRound: number
  /** Operations a contender runs before the next contender takes over (the interleaving grain). */
  block: number
  /** Untimed operations per contender before the first round. */
  warmup: number
  /** Seed of the contender order shuffles (default 1). */
  seed?: number
}

/** Per contender and per round, in µs: one number per round in each series. */
export interface InterleaveResult {
  /** Median wall-clock latency of one operation (robust to preemption and GC pauses). */
  median: Record<string, number[]>
  /** Mean wall-clock time per operation (total time / operations: includes every pause). */
  mean: Record<string, number[]>
  /** CPU time this process used per operation (all its threads: event loop, GC helpers, libuv). */
  cpu: Record<string, number[]>
}

/**
 * Run every contender `perRound` times per round, sequentially, handing over every `block` operations
 * (A×block, C×block, B×block, then a new random order, …), so that drift in the machine's load is shared
 * by all contenders and none always runs right after the same other one (which would hand it the other's
 * cold caches). Each operation is timed on its own; CPU time is read per block.
 */
export async function interleave(
  contenders: Readonly<Record<string, Operation>>,
  options: InterleaveOptions,
): Promise<InterleaveResult> {
  const names = Object.keys(contenders)
  const series = () => Object.fromEntries(names.map((name) => [name, [] as number[]]))
  const result: InterleaveResult = { median: series(), mean: series(), cpu: series() }
  for (const name of names) {
    const op = contenders[name]!
    for (let i = 0; i < options.warmup; i++) await op()
  }
  const random = seededRandom(options.seed ?? 1)
  for (let round = 0; round < options.rounds; round++) {
    const latencies = new Map(names.map((name) => [name, new Float64Array(options.perRound)]))
    const cpuUs = new Map(names.map((name) => [name, 0]))
    for (let done = 0; done < options.perRound; done += options.block) {
      const count = Math.min(options.block, options.perRound - done)
      for (const name of shuffled(names, random)) {
        const op = contenders[name]!
        const times = latencies.get(name)!
        const cpuStart = process.cpuUsage()
        for (let i = done; i < done + count; i++) {
          const start = performance.now()
          await op()
          times[i] = (performance.now() - start) * 1000
        }
        const used = process.cpuUsage(cpuStart)
        cpuUs.set(name, cpuUs.get(name)! + used.user + used.system)
      }
    }
    for (const name of names) {
      const times = latencies.get(name)!
      result.median[name]!.push(summarize(Array.from(times)).median)
      result.mean[name]!.push(times.reduce((a, b) => a + b, 0) / times.length)
      result.cpu[name]!.push(cpuUs.get(name)! / options.perRound)
    }
  }
  return result
}
