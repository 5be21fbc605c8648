/** Web Crypto's UUID, as `node:crypto` offers it. */
export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}
