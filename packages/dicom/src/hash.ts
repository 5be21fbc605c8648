import { hmac } from '@noble/hashes/hmac';
import { md5 } from '@noble/hashes/legacy';
import { sha256, sha512 } from '@noble/hashes/sha2';
import { DicomAnonymizeError } from './errors';

// Synchronous pure-JS hashes so the package runs unchanged in Node and browsers (WebCrypto's
// digest is async, node:crypto is Node-only).

const UTF8 = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return UTF8.encode(text);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

export function md5Hex(text: string): string {
  return toHex(md5(utf8(text)));
}

export function sha512Hex(text: string): string {
  return toHex(sha512(utf8(text)));
}

export function hmacSha256(key: Uint8Array, message: string): Uint8Array {
  return hmac(sha256, key, utf8(message));
}

/** HMAC-SHA-256 with the key schedule computed once (each call clones the keyed state). */
export function keyedHmacSha256(key: Uint8Array): (message: string) => Uint8Array {
  const base = hmac.create(sha256, key);
  return (message) => base.clone().update(utf8(message)).digest();
}

/** A random secret from the platform's CSPRNG (globalThis.crypto in Node 20 and browsers). */
export function randomKey(bytes = 32): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c?.getRandomValues)
    throw new DicomAnonymizeError(
      'no crypto.getRandomValues on this platform to create a random anonymization key; pass options.key',
    );
  return c.getRandomValues(new Uint8Array(bytes));
}

/** Big-endian bytes as a decimal string (for 2.25 UIDs). */
export function bytesToDecimal(bytes: Uint8Array): string {
  return BigInt(`0x${toHex(bytes) || '0'}`).toString(10);
}
