/**
 * Once per `vitest run`: compile dist/ so the example apps built for production (Next.js, SvelteKit)
 * import oauthkit as a user would, from the package's exports. Type errors are `npm run typecheck`'s
 * to report (tsc still emits); only a compiler crash stops the run here.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const result = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
    { cwd: root, encoding: 'utf8' },
  )
  // tsc exits 1 or 2 with output written when there are type errors; anything else is a real failure.
  if (result.status !== 0 && result.status !== 1 && result.status !== 2)
    throw new Error(`tsc failed to build dist/: ${result.stderr || result.stdout}`)
}
