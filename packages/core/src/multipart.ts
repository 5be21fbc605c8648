import { openAsBlob } from 'node:fs';
import { FormData } from 'undici';
import { quoteAll } from './query';

export { FormData };

/**
 * The multipart file name the Python SDK sends (aiohttp percent-encodes it with nothing safe
 * but `_.-~`, http-api.md §1.6). The production server expects that spelling.
 */
export function multipartFileName(name: string): string {
  return quoteAll(name);
}

/** A Blob that reads the file lazily from disk when the request body is streamed. */
export async function blobFromPath(path: string, type = 'application/octet-stream'): Promise<Blob> {
  return (await openAsBlob(path, { type })) as Blob;
}

/** A Blob over bytes already in memory (a transformed file), for a multipart body. */
export function blobFromBytes(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}
