import Database from 'better-sqlite3'
import { OAuth } from 'oauthkit'
import { SqliteTokenStore } from 'oauthkit/stores/sqlite'

// Every user's tokens in tokens.db, sealed with the secret, keyed by the context's userId.
export const oauth = new OAuth({
  store: new SqliteTokenStore(new Database('tokens.db')),
  secret: process.env.OAUTH_SECRET,
})
