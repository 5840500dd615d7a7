#!/usr/bin/env node
// Writes the "Last run" section of MUTATION.md from each scope's last Stryker result
// (mutation/stryker-incremental-<scope>.json, committed) and run times (mutation/runs.json, written by
// scripts/mutate.mjs): one row per `mutate` entry of mutation/scopes.json (a file, or a file's line
// range), and every survivor and uncovered mutant with its line and replacement. `npm run mutate` runs
// it after Stryker; the rest of MUTATION.md (which survivors are accepted, and why) is written by hand.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const read = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const scopes = read('mutation/scopes.json')
const runs = existsSync(new URL('mutation/runs.json', root)) ? read('mutation/runs.json') : {}

const STATUSES = [
  'Killed',
  'Survived',
  'NoCoverage',
  'Timeout',
  'Ignored',
  'CompileError',
  'RuntimeError',
]
const zero = () => Object.fromEntries(STATUSES.map((s) => [s, 0]))
const score = (c) => {
  const detected = c.Killed + c.Timeout
  const valid = detected + c.Survived + c.NoCoverage
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`
}
const minutes = (s) => (s === undefined ? '?' : s < 90 ? `${s} s` : `${Math.round(s / 60)} min`)

const rows = []
const runRows = []
const undetected = []
const total = zero()
for (const [name, scope] of Object.entries(scopes)) {
  const file = `mutation/stryker-incremental-${name}.json`
  const report = existsSync(new URL(file, root)) ? read(file) : undefined
  const run = runs[name]
  const all = zero()
  for (const entry of scope.mutate) {
    const [, path, from, to] = /^(.+?)(?::(\d+)-(\d+))?$/.exec(entry)
    const mutants = (report?.files[path]?.mutants ?? []).filter(
      (m) =>
        m.location.start.line >= Number(from ?? 1) &&
        m.location.start.line <= Number(to ?? Infinity),
    )
    const count = zero()
    for (const m of mutants) count[m.status]++
    for (const s of STATUSES) {
      all[s] += count[s]
      total[s] += count[s]
    }
    rows.push(
      report?.files[path]
        ? `| ${name} | \`${entry}\` | ${count.Killed} | ${count.Timeout} | ${count.Survived} | ${count.NoCoverage} | ${count.Ignored} | ${score(count)} |`
        : `| ${name} | \`${entry}\` | ${report ? 'not run on this path yet' : 'not run yet'} | | | | | |`,
    )
    for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
      undetected.push(
        `| ${path} | ${m.location.start.line} | ${m.status} | ${m.mutatorName} | \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 90).replace(/\|/g, '\\|').replace(/`/g, "'")}\` |`,
      )
    }
  }
  if (report && run) {
    // Mutants Stryker ran in this run: all but the static ones and those whose results were reused.
    const tested =
      (run.mutants ?? all.Killed + all.Timeout + all.Survived + all.NoCoverage + all.Ignored) -
      all.Ignored -
      run.reused
    runRows.push(
      `| ${name} | ${run.commit} | ${run.finished.slice(0, 16).replace('T', ' ')} | ${run.concurrency ?? 2} | ${run.load ?? '?'} | ${run.dryRunTests ?? '?'} tests, ${minutes(run.dryRunSeconds)} | ${minutes(run.seconds)} | ${run.reused ? `incremental, ${tested} re-tested` : `full, ${tested}`}${run.flags ? ` (${run.flags})` : ''} | ${(tested / (run.seconds / 60)).toFixed(0)} |`,
    )
  }
}

const lines = [
  '<!-- last-run: written by scripts/mutation-summary.mjs; do not edit by hand -->',
  '## Last run',
  '',
  `StrykerJS 9.6, vitest runner, \`coverageAnalysis: 'perTest'\`, incremental; one run per scope of \`mutation/scopes.json\`.`,
  'Score = (killed + timeout) / (killed + timeout + survived + no coverage); static mutants are ignored.',
  '',
  '| Scope | `mutate` entry | Killed | Timeout | Survived | No coverage | Ignored (static) | Score |',
  '|---|---|--:|--:|--:|--:|--:|--:|',
  ...rows,
  `| **All** | | ${total.Killed} | ${total.Timeout} | ${total.Survived} | ${total.NoCoverage} | ${total.Ignored} | **${score(total)}** |`,
  '',
  "Runs (commit at the start of the run; wall time on a two-core machine shared with other work; runners: Stryker's concurrency; load: the 1-minute load average at the end of the run, where recorded; mutants/min counts the mutants the run tested):",
  '',
  '| Scope | Commit | Finished (UTC) | Runners | Load | Dry run | Run time | Mutants tested | Mutants/min |',
  '|---|---|---|--:|--:|---|--:|---|--:|',
  ...runRows,
  '',
  '### Undetected mutants',
  '',
  undetected.length
    ? '| File | Line | Status | Mutator | Replacement |\n|---|--:|---|---|---|'
    : 'None.',
  ...undetected,
  '<!-- /last-run -->',
]
const path = new URL('MUTATION.md', root)
let doc
try {
  doc = readFileSync(path, 'utf8')
} catch {
  doc = '# Mutation score\n\n<!-- last-run -->\n'
}
const marker = /<!-- last-run[\s\S]*?<!-- \/last-run -->|<!-- last-run -->/
const section = lines.join('\n')
doc = marker.test(doc) ? doc.replace(marker, section) : `${doc.trimEnd()}\n\n${section}\n`
writeFileSync(path, doc)
console.log(
  `MUTATION.md: ${score(total)} over ${Object.keys(scopes).length} scopes, ${undetected.length} undetected`,
)
