/**
 * Starting the interop provider servers: Python ones under Debian's /usr/bin/python3 (never a pyenv
 * or virtualenv python, whose site-packages lack Debian's Authlib and oauthlib), each printing
 * `{"port": N}` once it listens and exiting when its stdin closes.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  MemoryCookieJar,
  type OAuth1App,
  type OAuth1Token,
  type OAuth2App,
  type OAuth2Token,
} from '../../src/index.js'

export const PYTHON = '/usr/bin/python3'
/** Where the provider sends the browser back; nothing listens there, the test reads the URL. */
export const REDIRECT_URI = 'http://127.0.0.1:8976/interop/callback'

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url))

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** The last few KiB the server wrote to stderr (its request log and tracebacks). */
  stderr(): string
  close(): Promise<void>
}

/** Start `servers/<script>` with `args`; resolves once it printed its port. */
export async function startPythonServer(
  script: string,
  args: string[] = [],
): Promise<RunningServer> {
  const child = spawn(PYTHON, [`${SERVERS}${script}`, ...args], {
    cwd: SERVERS,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within 15 s: ${stderr}`)),
      15_000,
    )
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const parsed = /^\{"port": (\d+)\}$/.exec(line.trim())
      if (!parsed) return
      clearTimeout(timer)
      resolve(Number(parsed[1]))
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`${script} exited before listening: ${stderr}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async close() {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Run a Python script of `servers/` to its end and return its stdout, parsed as JSON. */
export async function runPython<T>(script: string, args: string[] = []): Promise<T> {
  const child = spawn(PYTHON, [`${SERVERS}${script}`, ...args], {
    cwd: SERVERS,
    env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr}`)
  return JSON.parse(stdout) as T
}

/**
 * The browser's part of a login: follow the provider's redirects from `location` (its servers sign
 * the test user in and consent at once) until one lands on `redirectUri`; return that URL.
 */
export async function followToCallback(location: string, redirectUri = REDIRECT_URI): Promise<URL> {
  let url = new URL(location)
  for (let hop = 0; hop < 5; hop++) {
    if (url.href.startsWith(redirectUri)) return url
    const response = await fetch(url, { redirect: 'manual' })
    const next = response.headers.get('location')
    if (response.status < 300 || response.status > 399 || next === null) {
      throw new Error(
        `the provider answered HTTP ${response.status} at ${url.pathname}, not a redirect: ${(await response.text()).slice(0, 300)}`,
      )
    }
    url = new URL(next, url)
  }
  throw new Error('too many redirects')
}

/** A whole OAuth 2 login as an app does it: authorizeRedirect → the provider → authorizeAccessToken. */
export async function loginOAuth2(app: OAuth2App): Promise<OAuth2Token> {
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect({ cookies }, REDIRECT_URI)
  const callback = await followToCallback(redirect.headers.get('location')!)
  return app.authorizeAccessToken({ cookies, request: new Request(callback) })
}

/** A whole OAuth 1.0a login: authorizeRedirect (temporary credentials) → the provider → authorizeAccessToken. */
export async function loginOAuth1(app: OAuth1App): Promise<OAuth1Token> {
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect({ cookies }, REDIRECT_URI)
  const callback = await followToCallback(redirect.headers.get('location')!)
  return app.authorizeAccessToken({ cookies, request: new Request(callback) })
}
