/**
 * The example's database (SQLite through better-sqlite3): users, and each user's tokens per provider.
 * A production app would encrypt the token column at rest.
 */
import Database from 'better-sqlite3'
import type { OAuth2Token } from 'oauthkit'

/** Who signed in, as the provider reports it. */
export interface Identity {
  subject: string
  email?: string
  name?: string
}

/** A user of the app: one per provider account. */
export interface User extends Identity {
  id: number
  provider: string
}

export type Db = ReturnType<typeof openDatabase>

/** Open (and create if needed) the database: a file, or `:memory:`. */
export function openDatabase(filename = ':memory:') {
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      provider TEXT NOT NULL,
      subject TEXT NOT NULL,
      email TEXT,
      name TEXT,
      UNIQUE (provider, subject)
    );
    CREATE TABLE IF NOT EXISTS tokens (
      user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      provider TEXT NOT NULL,
      token TEXT NOT NULL,
      PRIMARY KEY (user_id, provider)
    );
  `)
  const upsertUser = db.prepare<[string, string, string | null, string | null], { id: number }>(
    `INSERT INTO users (provider, subject, email, name) VALUES (?, ?, ?, ?)
     ON CONFLICT (provider, subject) DO UPDATE SET email = excluded.email, name = excluded.name RETURNING id`,
  )
  const getUser = db.prepare<[number], User>('SELECT id, provider, subject, email, name FROM users WHERE id = ?')
  const getToken = db.prepare<[number, string], { token: string }>('SELECT token FROM tokens WHERE user_id = ? AND provider = ?')
  const putToken = db.prepare<[number, string, string]>(
    'INSERT INTO tokens (user_id, provider, token) VALUES (?, ?, ?) ON CONFLICT (user_id, provider) DO UPDATE SET token = excluded.token',
  )
  const deleteTokens = db.prepare<[number]>('DELETE FROM tokens WHERE user_id = ?')

  return {
    /** The id of the user with this provider account, created on first sign-in. */
    upsertUser: (provider: string, who: Identity): number => upsertUser.get(provider, who.subject, who.email ?? null, who.name ?? null)!.id,
    user: (id: number): User | undefined => getUser.get(id),
    loadToken: (userId: number, provider: string): OAuth2Token | null => {
      const row = getToken.get(userId, provider)
      return row ? (JSON.parse(row.token) as OAuth2Token) : null
    },
    saveToken: (userId: number, provider: string, token: OAuth2Token): void => void putToken.run(userId, provider, JSON.stringify(token)),
    deleteTokens: (userId: number): void => void deleteTokens.run(userId),
    close: (): void => void db.close(),
  }
}
