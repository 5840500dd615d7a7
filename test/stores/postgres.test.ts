/** PostgresTokenStore (pg) on a real PostgreSQL server, started here, passes the contract. */
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { PostgresTokenStore } from '../../src/stores/postgres.js'
import { startPostgres, type PostgresServer } from '../support/postgres.js'
import { tokenStoreContract } from './contract.js'

let server: PostgresServer
let pool: pg.Pool
beforeAll(async () => {
  const started = Date.now()
  server = await startPostgres()
  pool = new pg.Pool({ connectionString: server.url, max: 4 })
  console.log(`postgres started in ${Date.now() - started} ms`)
})
afterAll(async () => {
  await pool?.end()
  server?.stop()
})

tokenStoreContract('PostgreSQL', () => ({
  store: new PostgresTokenStore(pool),
  raw: async (userId, app) => {
    const { rows } = await pool.query<{ token: string }>(
      'SELECT token FROM oauthkit_tokens WHERE user_id = $1 AND app = $2',
      [userId, app],
    )
    return rows[0]?.token
  },
}))
