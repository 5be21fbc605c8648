import { quoteAll } from './query';

/**
 * The multipart file name the Python SDK sends (aiohttp percent-encodes it with nothing safe
 * but `_.-~`). The production server expects that spelling.
 */
export function multipartFileName(name: string): string {
  return quoteAll(name);
}

/** A Blob over bytes already in memory (a transformed file), for a multipart body. */
export function blobFromBytes(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}
