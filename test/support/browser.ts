/**
 * Debian's chromium (/usr/bin/chromium) driven by playwright-core; no browser is ever downloaded.
 * `scripts/system-deps.sh` installs it. Screenshots of failed tests go to test-results/.
 */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, vi, type TestContext } from 'vitest'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// Flags from the machine's notes: no sandbox as root, and no background connections to a closed network.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

/** One browser per test file; each test gets fresh contexts (no shared cookies) from `newPage`. */
export function useBrowser(): { browser: () => Browser; newPage: () => Promise<Page> } {
  // A real browser against production builds shares 2 cores with the rest of the suite: allow time.
  vi.setConfig({ testTimeout: 90_000 })
  let browser: Browser | undefined
  const pages: Page[] = []
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
  })
  afterEach(async (ctx: TestContext) => {
    if (ctx.task.result?.state === 'fail') {
      mkdirSync('test-results', { recursive: true })
      const name = ctx.task.name.replace(/[^\w-]+/g, '_').slice(0, 80)
      // Every tab of every context the test opened, including tabs it opened itself.
      const tabs = [...new Set(pages.flatMap((p) => p.context().pages()))]
      await Promise.all(
        tabs.map((p, i) =>
          p.screenshot({ path: `test-results/${name}-${i}.png`, fullPage: true }).catch(() => {}),
        ),
      )
    }
    await Promise.all(
      pages.map((p) =>
        p
          .context()
          .close()
          .catch(() => {}),
      ),
    )
    pages.length = 0
  })
  afterAll(async () => {
    await browser?.close()
  })
  return {
    browser: () => browser!,
    newPage: async () => {
      const context = await browser!.newContext()
      const page = await context.newPage()
      pages.push(page)
      return page
    },
  }
}
