/**
 * Starts the loopback API of `api-server.ts` in a child process and tells its origin.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ApiServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string
  close(): Promise<void>
}

export async function startApiServer(): Promise<ApiServer> {
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the API server exited early (code ${code})`)))
    child.once('message', (message) => resolve((message as { port: number }).port))
  })
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.removeAllListeners('exit')
        child.once('exit', () => resolve())
        child.disconnect()
      }),
  }
}
