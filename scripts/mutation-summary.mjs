#!/usr/bin/env node
// Writes the "Last run" section of MUTATION.md from Stryker's JSON report (reports/mutation/mutation.json):
// one row per entry of stryker.config.mjs's `mutate` (a file, or a file's line range), and every
// survivor and uncovered mutant with its line and replacement. `npm run mutate` runs it after Stryker;
// the rest of MUTATION.md (which survivors are accepted, and why) is written by hand.
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const { default: config } = await import(new URL('stryker.config.mjs', root).href)
const report = JSON.parse(readFileSync(new URL('reports/mutation/mutation.json', root), 'utf8'))
const started = process.env.STRYKER_STARTED
  ? new Date(Number(process.env.STRYKER_STARTED) * 1000)
  : undefined
const finished = statSync(new URL('reports/mutation/mutation.json', root)).mtime

const entries = config.mutate.map((entry) => {
  const [, file, from, to] = /^(.+?)(?::(\d+)-(\d+))?$/.exec(entry)
  return { entry, file, from: from ? Number(from) : 1, to: to ? Number(to) : Infinity }
})
const STATUSES = [
  'Killed',
  'Survived',
  'NoCoverage',
  'Timeout',
  'Ignored',
  'CompileError',
  'RuntimeError',
]
const rows = []
const undetected = []
const total = Object.fromEntries(STATUSES.map((s) => [s, 0]))
for (const { entry, file, from, to } of entries) {
  const mutants = (report.files[file]?.mutants ?? []).filter(
    (m) => m.location.start.line >= from && m.location.start.line <= to,
  )
  const count = Object.fromEntries(
    STATUSES.map((s) => [s, mutants.filter((m) => m.status === s).length]),
  )
  for (const s of STATUSES) total[s] += count[s]
  rows.push({ entry, count })
  for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
    undetected.push({
      file,
      line: m.location.start.line,
      status: m.status,
      mutator: m.mutatorName,
      replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 90),
    })
  }
}
const score = (c) => {
  const detected = c.Killed + c.Timeout
  const valid = detected + c.Survived + c.NoCoverage
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`
}
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: root,
  encoding: 'utf8',
}).trim()
const dirty =
  execFileSync('git', ['status', '--porcelain', '--', 'src', 'integrations', 'test'], {
    cwd: root,
    encoding: 'utf8',
  }).trim() !== ''
const lines = [
  '<!-- last-run: written by scripts/mutation-summary.mjs; do not edit by hand -->',
  '## Last run',
  '',
  `Finished ${finished.toISOString()}${started ? `, took ${Math.round((finished - started) / 60000)} min` : ''}; commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}; \`npm run mutate\` (StrykerJS ${report.frameworkVersion ?? '9'}, vitest runner, \`coverageAnalysis: 'perTest'\`, concurrency ${config.concurrency}, incremental).`,
  '',
  '| Scope (`mutate` entry) | Killed | Survived | No coverage | Timeout | Ignored (static) | Score |',
  '|---|--:|--:|--:|--:|--:|--:|',
  ...rows.map(
    ({ entry, count: c }) =>
      `| \`${entry}\` | ${c.Killed} | ${c.Survived} | ${c.NoCoverage} | ${c.Timeout} | ${c.Ignored} | ${score(c)} |`,
  ),
  `| **All** | ${total.Killed} | ${total.Survived} | ${total.NoCoverage} | ${total.Timeout} | ${total.Ignored} | **${score(total)}** |`,
  '',
  'Score = (killed + timeout) / (killed + timeout + survived + no coverage).',
  '',
  '### Undetected mutants',
  '',
  '| File | Line | Status | Mutator | Replacement |',
  '|---|--:|---|---|---|',
  ...undetected.map(
    (u) =>
      `| ${u.file} | ${u.line} | ${u.status} | ${u.mutator} | \`${u.replacement.replace(/\|/g, '\\|').replace(/`/g, "'")}\` |`,
  ),
  '<!-- /last-run -->',
]
const path = new URL('MUTATION.md', root)
let doc
try {
  doc = readFileSync(path, 'utf8')
} catch {
  doc = '# Mutation score\n\n<!-- last-run -->\n'
}
const section = lines.join('\n')
doc = /<!-- last-run[\s\S]*?<!-- \/last-run -->|<!-- last-run -->/.test(doc)
  ? doc.replace(/<!-- last-run[\s\S]*?<!-- \/last-run -->|<!-- last-run -->/, section)
  : `${doc.trimEnd()}\n\n${section}\n`
writeFileSync(path, doc)
console.log(
  `MUTATION.md: ${score(total)} over ${rows.length} scopes, ${undetected.length} undetected`,
)
