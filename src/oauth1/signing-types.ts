/**
 * What OAuth 1 signing takes and gives: the signature methods and placements, the credentials, the
 * request to sign and the signed request.
 *
 * @module
 */

/** A signature method of RFC 5849 §3.4, plus HMAC-SHA256 (same construction as HMAC-SHA1). */
export type SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'RSA-SHA1' | 'PLAINTEXT'

/** Where the protocol parameters travel (RFC 5849 §3.5): `Authorization` header, form body or query. */
export type SignaturePlacement = 'header' | 'query' | 'body'

/** The client (consumer) credentials and, once there is one, the token credentials. */
export interface OAuth1Credentials {
  /** The client identifier, sent as `oauth_consumer_key`. */
  clientId: string
  /** The client shared secret; required by HMAC-SHA1, HMAC-SHA256 and PLAINTEXT. */
  clientSecret?: string
  /** RSA-SHA1 only: the client's private key, as a PKCS#8 PEM (`BEGIN PRIVATE KEY`) or a CryptoKey. */
  rsaKey?: string | CryptoKey
  /** The temporary or token identifier, sent as `oauth_token`. */
  token?: string
  /** The secret that goes with {@link OAuth1Credentials.token}. */
  tokenSecret?: string
}

/** A request to sign. */
export interface SignRequestInput {
  /** The HTTP method. */
  method: string
  /** The absolute http(s) request URL, query included. */
  url: string | URL
  /** The request headers; `content-type` decides whether the body is signed. */
  headers?: HeadersInit
  /**
   * The request body. Only a string or URLSearchParams body sent as `application/x-www-form-urlencoded`
   * is signed (RFC 5849 §3.4.1.3.1); a URLSearchParams body without a content type counts as one.
   */
  body?: BodyInit | null
  /** Extra protocol parameters, such as `oauth_callback`, `oauth_verifier` or `oauth_version`. */
  oauthParams?: Record<string, string>
  /** The `realm` of the `Authorization` header; never signed, and not sent with other placements. */
  realm?: string
  /** Where the protocol parameters go; `header` by default. */
  placement?: SignaturePlacement
  /** The signature method; `HMAC-SHA1` by default. */
  signatureMethod?: SignatureMethod
  /** A fixed `oauth_nonce`, for tests and vectors; by default 30 random letters and digits (178 bits). */
  nonce?: string
  /** A fixed `oauth_timestamp` in seconds, for tests and vectors; the current time by default. */
  timestamp?: string
}

/** A signed request: send `url`, `headers` and `body` as they are. */
export interface SignedRequest {
  /** The request URL, with the protocol parameters in its query when `placement` is `query`. */
  url: string
  /** The request headers, with `Authorization` when `placement` is `header`. */
  headers: Headers
  /**
   * The body to send, as a string, when the input body was a string or URLSearchParams or the
   * protocol parameters were put in the body; otherwise undefined and the input body is sent as is.
   */
  body?: string
  /** The protocol parameters sent, `oauth_signature` included. */
  oauthParams: Record<string, string>
  /** The signature base string that was signed (computed also for PLAINTEXT, which does not use it). */
  baseString: string
}
