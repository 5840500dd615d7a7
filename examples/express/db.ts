/**
 * The example's database (SQLite through better-sqlite3): its users. The tokens are in the same file,
 * in the table oauthkit's SqliteTokenStore keeps (sealed with the registry's secret).
 */
import Database, { type Database as SqliteDatabase } from 'better-sqlite3'

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

/** The example's database. */
export interface Db {
  /** The open database, for the token store. */
  sqlite: SqliteDatabase
  /** The id of the user with this provider account, created on first sign-in. */
  upsertUser(provider: string, who: Identity): number
  user(id: number): User | undefined
  close(): void
}

/** Open (and create if needed) the database: a file, or `:memory:`. */
export function openDatabase(filename = ':memory:'): Db {
  const db: SqliteDatabase = new Database(filename)
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
  `)
  const upsertUser = db.prepare<[string, string, string | null, string | null], { id: number }>(
    `INSERT INTO users (provider, subject, email, name) VALUES (?, ?, ?, ?)
     ON CONFLICT (provider, subject) DO UPDATE SET email = excluded.email, name = excluded.name RETURNING id`,
  )
  const getUser = db.prepare<[number], User>('SELECT id, provider, subject, email, name FROM users WHERE id = ?')

  return {
    sqlite: db,
    upsertUser: (provider: string, who: Identity): number => upsertUser.get(provider, who.subject, who.email ?? null, who.name ?? null)!.id,
    user: (id: number): User | undefined => getUser.get(id),
    close: (): void => void db.close(),
  }
}
