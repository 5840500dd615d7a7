/** SqliteTokenStore (better-sqlite3) in a temp file passes the contract. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it } from 'vitest'
import { SqliteTokenStore } from '../../src/stores/sqlite.js'
import { tokenStoreContract } from './contract.js'

const dir = mkdtempSync(join(tmpdir(), 'oauthkit-sqlite-'))
const db = new Database(join(dir, 'tokens.db'))
db.pragma('journal_mode = WAL') // what a server would use; also keeps the tests quick on a busy disk
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

tokenStoreContract('SQLite', () => {
  const store = new SqliteTokenStore(db)
  const read = db.prepare<[string, string], { token: string }>(
    'SELECT token FROM oauthkit_tokens WHERE user_id = ? AND app = ?',
  )
  return { store, raw: async (userId, app) => read.get(userId, app)?.token }
})

it('takes a table name, and refuses one that is not a plain identifier', () => {
  new SqliteTokenStore(db, { table: 'my_tokens' })
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'my_tokens'").get()).toBeTruthy()
  expect(() => new SqliteTokenStore(db, { table: 'x; DROP TABLE y' })).toThrow(
    expect.objectContaining({ code: 'config_invalid' }),
  )
})
