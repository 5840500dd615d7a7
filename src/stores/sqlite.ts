/**
 * `oauthkit/stores/sqlite`: a {@link TokenStore} in a SQLite table through `better-sqlite3` (an
 * optional peer dependency: install it to use this module). The embedded choice for one machine.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { SqliteTokenStore } from 'oauthkit/stores/sqlite'
 * const oauth = new OAuth({ store: new SqliteTokenStore(new Database('tokens.db')), secret })
 * ```
 * @module
 */
import type { Database, Statement } from 'better-sqlite3'
import type { SealedToken, TokenStore } from './store.js'
import { requireClient } from './driver.js'
import { tableName } from './table.js'

/** Options of {@link SqliteTokenStore}. @group Token stores */
export interface SqliteTokenStoreOptions {
  /** The table (created if missing; default `oauthkit_tokens`): letters, digits and `_`. */
  table?: string
}

/**
 * Keeps sealed tokens in a SQLite table `(user_id, app, token, updated_at)`, one row per user and app.
 * @group Token stores
 */
export class SqliteTokenStore implements TokenStore {
  readonly #get: Statement<[string, string], { token: string }>
  readonly #set: Statement<[string, string, string, number]>
  readonly #delete: Statement<[string, string]>
  readonly #deleteUser: Statement<[string]>

  /** @param db - an open `better-sqlite3` database; the table is created now if missing. */
  constructor(db: Database, options: SqliteTokenStoreOptions = {}) {
    requireClient('SqliteTokenStore', 'better-sqlite3', "new Database('tokens.db')", db, [
      'exec',
      'prepare',
    ])
    const table = tableName(options.table)
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (user_id TEXT NOT NULL, app TEXT NOT NULL, token TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (user_id, app))`,
    )
    this.#get = db.prepare(`SELECT token FROM ${table} WHERE user_id = ? AND app = ?`)
    this.#set = db.prepare(
      `INSERT INTO ${table} (user_id, app, token, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, app) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
    )
    this.#delete = db.prepare(`DELETE FROM ${table} WHERE user_id = ? AND app = ?`)
    this.#deleteUser = db.prepare(`DELETE FROM ${table} WHERE user_id = ?`)
  }

  async get(userId: string, app: string): Promise<SealedToken | undefined> {
    return this.#get.get(userId, app)?.token
  }

  async set(userId: string, app: string, token: SealedToken): Promise<void> {
    this.#set.run(userId, app, token, Date.now())
  }

  async delete(userId: string, app: string): Promise<void> {
    this.#delete.run(userId, app)
  }

  async deleteUser(userId: string): Promise<void> {
    this.#deleteUser.run(userId)
  }
}
