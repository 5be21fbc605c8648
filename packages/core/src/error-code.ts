/** The system or transport code of a failure (on the error or a cause of it). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The code of a browser's network failure: `fetch` says only "Failed to fetch" (refused, reset,
 * DNS, CORS alike), so whether the request left the machine is unknown.
 */
export const NETWORK_ERROR_CODE = 'ERR_NETWORK';

/**
 * OpenSSL's own error line, as Node passes it on:
 * `800C22ED0A7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file.c:350:`.
 * The reason is its sixth field; the rest (addresses, source file of OpenSSL) means nothing to users.
 */
const OPENSSL_ERROR_LINE = /^[0-9A-Fa-f]+:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/;

/**
 * TLS failures that mean the peer answered in plain HTTP: an `https://` URL for a server that only
 * speaks `http://` (a local or test server, most often).
 */
const PLAIN_HTTP_PEER_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/** A transport failure's reason on one line, in words a user can act on. */
export function failureReason(error: unknown, code: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const openssl = OPENSSL_ERROR_LINE.exec(message.trim());
  let reason = openssl ? `TLS handshake failed: ${openssl[1]!.trim()}` : message.trim().split('\n')[0]!;
  if (code && PLAIN_HTTP_PEER_CODES.has(code)) {
    reason += ': the server answered in plain HTTP; is the URL http:// rather than https://?';
  }
  return reason;
}
