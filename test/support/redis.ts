/** A throwaway redis-server (Debian's) on 127.0.0.1 and a free port, with no persistence. */
import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from './ports.js'

export interface RedisServer {
  port: number
  /** A client of this server. */
  redis: Redis
  stop(): Promise<void>
}

/** Start redis-server and wait until it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    retryStrategy: (n) => (n > 50 ? null : 50),
  })
  redis.on('error', () => {}) // refused until redis-server is listening; retried above
  await redis.ping()
  return {
    port,
    redis,
    async stop() {
      redis.disconnect()
      server.kill()
    },
  }
}
