/**
 * Text a provider chose (`error`, `error_description`, `error_uri`, an OAuth 1 problem) on its way
 * into an error message or field: printable, on one line, bounded.
 *
 * @module
 */

/** Longest provider text kept, in code points; the rest is cut and marked with `…`. */
export const MAX_PROVIDER_TEXT = 300

/**
 * Control characters (newlines, ANSI escapes), format characters (bidi overrides, zero-width), lone
 * surrogates and line/paragraph separators: each could forge or hide log lines (CWE-117).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+/gu

/**
 * `value` as one printable line: unprintable runs become one space, `secrets` (at least 4
 * characters) become `[redacted]`, and the result is cut to `max` code points. Not a string or a
 * number, or empty once cleaned: undefined.
 */
export function providerText(
  value: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
  max = MAX_PROVIDER_TEXT,
): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  let text = String(value).replace(UNPRINTABLE, ' ').trim()
  for (const secret of secrets)
    if (secret && secret.length >= 4) text = text.split(secret).join('[redacted]')
  if (text === '') return undefined
  const points = Array.from(text)
  return points.length > max ? `${points.slice(0, max).join('').trimEnd()}…` : text
}
