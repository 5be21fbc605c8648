import { unsupported } from '../unsupported';

/** Web Crypto's UUID, as `node:crypto` offers it. */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Refused in the browser: only an upload journal (a file on disk, Node only) asks for it, for the
 * key it records.
 */
export const randomBytes = unsupported('crypto.randomBytes');
