/**
 * A {@link TokenStore} in this process's memory: for demos, tests and one-process apps that may
 * lose their tokens on restart.
 *
 * @module
 */
import type { SealedToken, TokenStore } from './store.js'

/**
 * Keeps sealed tokens in a `Map` of this process: gone on restart, not shared between processes.
 * @group Token stores
 */
export class MemoryTokenStore implements TokenStore {
  readonly #users = new Map<string, Map<string, SealedToken>>()

  async get(userId: string, app: string): Promise<SealedToken | undefined> {
    return this.#users.get(userId)?.get(app)
  }

  async set(userId: string, app: string, token: SealedToken): Promise<void> {
    let apps = this.#users.get(userId)
    if (!apps) this.#users.set(userId, (apps = new Map()))
    apps.set(app, token)
  }

  async delete(userId: string, app: string): Promise<void> {
    const apps = this.#users.get(userId)
    apps?.delete(app)
    if (apps?.size === 0) this.#users.delete(userId)
  }

  async deleteUser(userId: string): Promise<void> {
    this.#users.delete(userId)
  }
}
