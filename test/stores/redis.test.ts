/** RedisTokenStore (ioredis) on a real redis-server passes the contract. */
import { afterAll, beforeAll } from 'vitest'
import { RedisTokenStore } from '../../src/stores/redis.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { tokenStoreContract } from './contract.js'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(() => server?.stop())

tokenStoreContract('Redis', () => ({
  store: new RedisTokenStore(server.redis),
  raw: async (userId, app) =>
    (await server.redis.hget(`oauthkit:tokens:${userId}`, app)) ?? undefined,
}))
