#!/usr/bin/env node
// This machine's npm registry does not serve every platform build of packages like rollup and
// @next/swc, so `npm install` drops those optional dependencies from package-lock.json and a later
// `npm ci` refuses the lock as out of sync. Run this after `npm install`: it records each missing
// platform package (version, os, cpu, libc from its name) where npm would place it. npm skips them
// on other platforms without downloading anything.
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const packages = lock.packages
const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'win32',
  'sunos',
  'aix',
  'netbsd',
]
const CPU = ['arm', 'arm64', 'ia32', 'x64', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el']

/** Where a dependency of the package at `from` resolves: the nearest node_modules going up. */
function resolves(from, name) {
  for (let dir = from; ;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`])
      return `${dir ? `${dir}/` : ''}node_modules/${name}`
    if (!dir) return undefined
    const cut = dir.lastIndexOf('/node_modules/')
    dir = cut === -1 ? '' : dir.slice(0, cut)
  }
}

let added = 0
for (const [from, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const tokens = name.split('/').pop().split('-')
    const os = tokens.find((t) => OS.includes(t))
    const cpu = tokens.find((t) => CPU.includes(t))
    if (!os || !cpu || !/^\d+\.\d+\.\d+/.test(spec)) continue // only exact-version platform builds
    const found = resolves(from, name)
    if (found && packages[found].version === spec) continue
    const hoisted = `node_modules/${name}`
    const key = packages[hoisted] ? `${from ? `${from}/` : ''}node_modules/${name}` : hoisted
    const record = {
      version: spec,
      cpu: [cpu],
      dev: entry.dev ?? undefined,
      optional: true,
      os: [os],
    }
    if (os === 'linux') record.libc = [name.includes('musl') ? 'musl' : 'glibc']
    packages[key] = record
    added++
    console.log(`recorded ${key}@${spec}`)
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
)
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`${added} platform package(s) recorded`)
