/**
 * `oauthkit/stores/postgres`: a {@link TokenStore} in a PostgreSQL table through `pg` (an optional
 * peer dependency: install it to use this module).
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { PostgresTokenStore } from 'oauthkit/stores/postgres'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const oauth = new OAuth({ store: new PostgresTokenStore(pool), secret })
 * ```
 * @module
 */
import type { Pool } from 'pg'
import type { SealedToken, TokenStore } from './store.js'
import { requireClient } from './driver.js'
import { tableName } from './table.js'

/** Options of {@link PostgresTokenStore}. @group Token stores */
export interface PostgresTokenStoreOptions {
  /** The table (created on first use if missing; default `oauthkit_tokens`): letters, digits and `_`. */
  table?: string
}

/** What the store needs of a `pg` `Pool` (or `Client`): `query`. @group Token stores */
export type PostgresQueryable = Pick<Pool, 'query'>

/**
 * Keeps sealed tokens in a PostgreSQL table `(user_id, app, token, updated_at)`, one row per user and
 * app, created on first use.
 * @group Token stores
 */
export class PostgresTokenStore implements TokenStore {
  readonly #db: PostgresQueryable
  readonly #table: string
  #ready?: Promise<unknown>

  /** @param db - a `pg` `Pool` (or a connected `Client`). */
  constructor(db: PostgresQueryable, options: PostgresTokenStoreOptions = {}) {
    requireClient('PostgresTokenStore', 'pg', 'new pg.Pool({ connectionString })', db, ['query'])
    this.#db = db
    this.#table = tableName(options.table)
  }

  async get(userId: string, app: string): Promise<SealedToken | undefined> {
    const { rows } = await this.#query<{ token: string }>(
      `SELECT token FROM ${this.#table} WHERE user_id = $1 AND app = $2`,
      [userId, app],
    )
    return rows[0]?.token
  }

  async set(userId: string, app: string, token: SealedToken): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#table} (user_id, app, token, updated_at) VALUES ($1, $2, $3, now()) ON CONFLICT (user_id, app) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
      [userId, app, token],
    )
  }

  async delete(userId: string, app: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE user_id = $1 AND app = $2`, [userId, app])
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE user_id = $1`, [userId])
  }

  async #query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }> {
    // A failed creation is tried again on the next call.
    this.#ready ??= this.#db
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (user_id TEXT NOT NULL, app TEXT NOT NULL, token TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (user_id, app))`,
      )
      .catch((error: unknown) => {
        this.#ready = undefined
        throw error
      })
    await this.#ready
    return (await this.#db.query(text, values)) as unknown as { rows: R[] }
  }
}
