import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type FileContent, readPrefixSync, type WantMore } from './content';

/** Reads `length` bytes at `offset` into a new buffer, fewer only at the end of the file. */
function readAtSync(fd: number, offset: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let got = 0;
  // A read may return fewer bytes than asked before the end of the file (network file systems).
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buffer : buffer.subarray(0, got);
}

/**
 * A file's first `length` bytes, then as many more as `more` asks for, through one opening of the
 * file, with synchronous calls. Planning reads the head of every file: through the thread pool,
 * each open, read and close is a round trip costing several times the call itself, which made the
 * file-system calls most of planning's time. Callers read many files this way in a loop that
 * yields to the event loop between files (see `eventLoopPacer`).
 */
export function readHeadSync(file: string, length: number, more?: WantMore): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    return readPrefixSync(length, more, (offset, n) => readAtSync(fd, offset, n));
  } finally {
    closeSync(fd);
  }
}

/** A file on disk, read when asked (streamed for sending, whole for DICOM transforms). */
export function pathContent(file: string): FileContent {
  return {
    // Large reads: fewer, bigger chunks cost less CPU than the default 64 KiB.
    open: () => createReadStream(file, { highWaterMark: 1 << 20 }),
    bytes: async () => new Uint8Array(await readFile(file)),
    // One open, positioned reads, no stat (the walk knows the size).
    prefix: async (length, more) => readHeadSync(file, length, more),
  };
}
