import { close, createReadStream, open, read } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type FileContent, readPrefix } from './content';

function openFile(file: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(file, 'r', (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

/** Reads `length` bytes at `offset`, fewer only at the end of the file. */
function readAt(fd: number, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  return new Promise((resolve, reject) => {
    const next = (got: number): void => {
      // A read may return fewer bytes than asked before the end of the file (network file systems).
      read(fd, buffer, got, length - got, offset + got, (error, bytesRead) => {
        if (error) reject(error);
        else if (bytesRead === 0 || got + bytesRead === length) {
          const total = got + bytesRead;
          resolve(total === length ? buffer : buffer.subarray(0, total));
        } else next(got + bytesRead);
      });
    };
    if (length === 0) resolve(buffer);
    else next(0);
  });
}

/** A file on disk, read when asked (streamed for sending, whole for DICOM transforms). */
export function pathContent(file: string): FileContent {
  return {
    // Large reads: fewer, bigger chunks cost less CPU than the default 64 KiB.
    open: () => createReadStream(file, { highWaterMark: 1 << 20 }),
    bytes: async () => new Uint8Array(await readFile(file)),
    prefix: async (length, more) => {
      // One open, positioned reads, no stat (the walk knows the size). The callback API: planning
      // opens every file, and a FileHandle costs measurably more per file than a descriptor.
      const fd = await openFile(file);
      try {
        return await readPrefix(length, more, (offset, n) => readAt(fd, offset, n));
      } finally {
        await new Promise<void>((resolve) => close(fd, () => resolve()));
      }
    },
  };
}
