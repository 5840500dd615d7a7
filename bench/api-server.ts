/**
 * The loopback API the request benchmarks call, run in its own process (forked by `startApiServer`) so
 * its work and garbage collection do not share the client's event loop. Keep-alive stays on, so every
 * contender reuses one connection. `/fast/*` answers at once, `/slow/*` after a 1 ms timer; both check
 * the Bearer token, so a contender that forgot it fails instead of looking fast.
 */
import http from 'node:http'

export const API_TOKEN = 'bench-access-token'

const body = JSON.stringify({
  id: 42,
  login: 'alice',
  name: 'Alice Example',
  plan: { name: 'pro', seats: 5 },
})
const headers = {
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(body)),
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.headers.authorization !== `Bearer ${API_TOKEN}`) {
    res
      .writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-length': '0' })
      .end()
    return
  }
  const send = () => res.writeHead(200, headers).end(body)
  if (req.url?.startsWith('/slow')) setTimeout(send, 1)
  else send()
}

// Only when forked by startApiServer (which passes --serve); importing this file just reads API_TOKEN.
if (process.argv.includes('--serve') && process.send) {
  const server = http.createServer({ keepAlive: true }, handle)
  server.keepAliveTimeout = 120_000
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    process.send?.({ port })
  })
  process.on('disconnect', () => process.exit(0))
}
