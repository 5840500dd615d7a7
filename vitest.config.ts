import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/testing/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests start their own servers on 127.0.0.1 free ports; a couple of workers fits a 2-core machine.
    maxWorkers: 2,
  },
})
