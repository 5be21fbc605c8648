import { openAsBlob } from 'node:fs';
import { FormData } from 'undici';

export { FormData };

/** A Blob that reads the file lazily from disk when the request body is streamed. */
export async function blobFromPath(path: string, type = 'application/octet-stream'): Promise<Blob> {
  return (await openAsBlob(path, { type })) as Blob;
}
