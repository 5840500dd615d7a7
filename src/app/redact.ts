/**
 * How apps and their configs print: `console.log`, `util.inspect` and `JSON.stringify` show no client
 * secret or private key. Uses Node's inspect symbol by name, so the core imports nothing from Node.
 *
 * @module
 */

/** `util.inspect.custom`, shared by every runtime that implements it (Node, Bun, Deno's Node mode). */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never

/** Config fields that hold a secret: shown as `[redacted]`. */
const SECRET_FIELDS = ['clientSecret', 'privateKey', 'rsaKey'] as const

/** `config` as it may be shown: every secret field present is `[redacted]`. */
export function redactedView<C extends object>(config: C): Record<string, unknown> {
  const view = { ...config } as Record<string, unknown>
  for (const field of SECRET_FIELDS) if (view[field] !== undefined) view[field] = '[redacted]'
  return view
}

/**
 * A copy of `config` that reads the same (`config.clientId`, `config.clientSecret` for the app's own
 * use) but inspects and serialises with its secrets redacted.
 */
export function withRedaction<C extends object>(config: C): C {
  const copy = { ...config }
  // Not enumerable: a spread or Object.keys of the config sees only the config's own fields.
  Object.defineProperty(copy, INSPECT, { value: () => redactedView(copy) })
  Object.defineProperty(copy, 'toJSON', { value: () => redactedView(copy) })
  return copy
}
