import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { FileContent } from './content';

/** A file on disk, read when asked (streamed for sending, whole for DICOM transforms). */
export function pathContent(file: string): FileContent {
  return {
    // Large reads: fewer, bigger chunks cost less CPU than the default 64 KiB.
    open: () => createReadStream(file, { highWaterMark: 1 << 20 }),
    bytes: async () => new Uint8Array(await readFile(file)),
    head: async (length) => {
      const handle = await open(file, 'r');
      try {
        const buffer = new Uint8Array(length);
        const { bytesRead } = await handle.read(buffer, 0, length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}
