#!/usr/bin/env node
// `npm run mutate [-- scope …]`: runs StrykerJS once per scope of mutation/scopes.json (all by default),
// records each run's time in mutation/runs.json, then rewrites MUTATION.md's "Last run"
// (scripts/mutation-summary.mjs). Extra arguments that start with `-` go to Stryker (e.g. --force).
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'

const root = new URL('../', import.meta.url)
const scopes = JSON.parse(readFileSync(new URL('mutation/scopes.json', root), 'utf8'))
const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    [
      'npm run mutate [-- [scope …] [stryker flags]]',
      '',
      'Runs StrykerJS once per scope of mutation/scopes.json (all by default, in this order), one test',
      'runner at a time (MUTATE_CONCURRENCY=n for more), then rewrites the "Last run" of MUTATION.md.',
      'Flags starting with - go to Stryker (--force ignores the incremental results).',
      '',
      'Scopes:',
      ...Object.entries(scopes).map(([n, s]) => `  ${n.padEnd(12)} ${s.mutate.join(', ')}`),
    ].join('\n'),
  )
  process.exit(0)
}
const flags = args.filter((a) => a.startsWith('-'))
const names = args.filter((a) => !a.startsWith('-'))
for (const n of names)
  if (!scopes[n]) throw new Error(`unknown scope ${n}; scopes: ${Object.keys(scopes).join(', ')}`)
const runsPath = new URL('mutation/runs.json', root)
const readRuns = () => {
  try {
    return JSON.parse(readFileSync(runsPath, 'utf8'))
  } catch {
    return {}
  }
}
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: root,
  encoding: 'utf8',
}).trim()
let failed = false

for (const name of names.length ? names : Object.keys(scopes)) {
  console.log(`\n=== mutation scope ${name}: ${scopes[name].mutate.join(', ')}`)
  const env = { ...process.env, MUTATE_SCOPE: name }
  // A test file that fails to load is dropped from Stryker's dry run without an error: check that each ran.
  const expected = execFileSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'list', '--filesOnly', '-c', 'vitest.mutate.config.ts'],
    { cwd: root, env, encoding: 'utf8' },
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('.ts'))
  const started = Date.now()
  let output = ''
  const code = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...flags],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      output = (output + chunk.toString()).slice(-200_000)
    })
    child.on('close', resolve)
  })
  if (code !== 0) {
    failed = true
    console.error(`scope ${name}: stryker exited with ${code}`)
    continue
  }
  const ran = Object.keys(
    JSON.parse(readFileSync(new URL(`reports/mutation/${name}.json`, root), 'utf8')).testFiles ??
      {},
  )
  const missing = expected.filter((file) => !ran.some((r) => file.endsWith(r)))
  if (missing.length) {
    failed = true
    console.error(
      `scope ${name}: these test files did not run in Stryker's sandbox (do they load there?): ${missing.join(', ')}`,
    )
  }
  // eslint-disable-next-line no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, '')
  const dryRun = /Initial test run succeeded\. Ran (\d+) tests in (\d+) seconds/.exec(text)
  const reused = /(\d+) of (\d+) mutant result\(s\) are reused/.exec(text)
  const mutants = /Instrumented \d+ source file\(s\) with (\d+) mutant/.exec(text)
  const runs = readRuns()
  runs[name] = {
    commit,
    finished: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    dryRunTests: dryRun ? Number(dryRun[1]) : undefined,
    dryRunSeconds: dryRun ? Number(dryRun[2]) : undefined,
    mutants: mutants ? Number(mutants[1]) : undefined,
    reused: reused ? Number(reused[1]) : 0,
    flags: flags.length ? flags.join(' ') : undefined,
    concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
    load: Number(loadavg()[0].toFixed(1)),
  }
  writeFileSync(runsPath, `${JSON.stringify(runs, null, 2)}\n`)
}

execFileSync(process.execPath, ['scripts/mutation-summary.mjs'], { cwd: root, stdio: 'inherit' })
if (failed) process.exitCode = 1
