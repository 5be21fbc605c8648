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
