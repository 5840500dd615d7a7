/**
 * Section 4 of the report (the bearer guard), kept apart from report.ts so it hooks in with a few lines.
 */
import type { GuardBenchResult } from './guard.js'
import type { Summary } from './stats.js'

const x = (value: number) => value.toFixed(3)
const us = (value: number) => value.toFixed(1)
const spread = (s: Summary, format: (value: number) => string) =>
  `${format(s.median)} (${format(s.min)}–${format(s.max)})`

/** The targets: the guard's JWT check ≤ 1.1× a bare jose.jwtVerify with a cached key, per algorithm. */
export function guardVerdicts(result: GuardBenchResult) {
  return result.groups.flatMap((group) =>
    group.ratios
      .filter((r) => r.target !== undefined)
      .map((r) => ({
        target: `bearer guard JWT check ≤ ${r.target!.toFixed(2)}× bare jose.jwtVerify (${group.alg})`,
        measured: `${spread(r.summary, x)}×`,
        met: r.summary.median <= r.target!,
      })),
  )
}

export function guardConsole(result: GuardBenchResult): string[] {
  const lines = ['7. Bearer guard JWT check (µs per check: median of per-round medians (min–max))']
  for (const group of result.groups) {
    lines.push(`  ${group.alg}`)
    for (const s of group.series) lines.push(`    ${s.name.padEnd(34)} ${spread(s.summary, us)}`)
    for (const r of group.ratios) lines.push(`      ${r.label.padEnd(58)} ${spread(r.summary, x)}`)
  }
  return lines
}

export function guardMarkdown(result: GuardBenchResult): string[] {
  const { options } = result
  return [
    '## 7. Bearer guard',
    '',
    "**What.** The bearer guard's check of one JWT access token (RFC 9068: `typ`, trusted `iss`, allowed `alg`, signature, `exp`, `aud`, one required scope) against a bare `jose.jwtVerify(token, key, { issuer, audience })` with the public key already imported: the same token, the same key. The guard gets its key the production way, from the issuer's JWKS served by `node:http` on 127.0.0.1, fetched once before the timing and cached. `guard.authenticate(request)` also reads the `Authorization` header of a `Request`, as every integration does.",
    '',
    `**How.** ${options.warmup} untimed checks per contender, then ${options.rounds} rounds of ${options.perRound.toLocaleString('en-US')} checks per contender, interleaved in blocks of ${options.block} in a fresh random order each time; the ratio is taken per round on the median latency, and given as the median over rounds (min–max). ES256 is the broker's default; RS256 verifies fastest, so the guard's own work weighs most there.`,
    '',
    ...result.groups.flatMap((group) => [
      `### ${group.alg}`,
      '',
      '| Contender | µs per check: median of rounds (min–max) |',
      '|---|--:|',
      ...group.series.map((s) => `| ${s.name} | ${spread(s.summary, us)} |`),
      '',
      '| Ratio (per round) | Median of rounds (min–max) | Target |',
      '|---|--:|---|',
      ...group.ratios.map(
        (r) =>
          `| ${r.label} | ${spread(r.summary, x)} | ${r.target === undefined ? '' : `≤ ${r.target.toFixed(2)}: **${r.summary.median <= r.target ? 'met' : 'not met'}**`} |`,
      ),
      '',
    ]),
  ]
}
