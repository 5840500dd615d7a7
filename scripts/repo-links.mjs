#!/usr/bin/env node
// Point a Markdown file's relative links to source files (not to other .md pages) at the repository,
// so typedoc's guides link to the code instead of copying it as a download. Usage: repo-links.mjs FILE...
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, posix, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repo = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).homepage.replace(
  /#.*$/,
  '',
)

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8')
  const out = text.replace(/\]\((?!https?:|#|mailto:)([^)\s]+)\)/g, (match, target) => {
    const [path, hash = ''] = target.split('#')
    if (path === '' || path.endsWith('.md')) return match
    const inRepo = relative(root, resolve(dirname(file), decodeURI(path)))
      .split('\\')
      .join('/')
    if (inRepo.startsWith('..')) return match
    const kind = /\.[a-z]+$/i.test(posix.basename(inRepo)) ? 'blob' : 'tree'
    return `](${repo}/${kind}/main/${encodeURI(inRepo)}${hash ? `#${hash}` : ''})`
  })
  if (out !== text) writeFileSync(file, out)
}
