/**
 * Once per `vitest run`: compile dist/ so the example apps built for production (Next.js, SvelteKit)
 * import oauthkit as a user would, from the package's exports.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
}
