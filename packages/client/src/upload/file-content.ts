import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { unfilled } from './body-buffers';
import { type FileContent, readPrefixSync, type WantMore } from './content';

/** Fills `target` from `offset` in the file; fewer bytes only at the end of the file. */
function fillSync(fd: number, target: Uint8Array, offset: number): number {
  let got = 0;
  // A read may return fewer bytes than asked before the end of the file (network file systems).
  while (got < target.length) {
    const n = readSync(fd, target, got, target.length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Reads `length` bytes at `offset` into `scratch` or a new buffer, fewer only at the end of the file. */
function readAtSync(fd: number, offset: number, length: number, scratch?: Uint8Array): Uint8Array {
  const buffer = scratch && scratch.length >= length ? scratch.subarray(0, length) : unfilled(length);
  const got = fillSync(fd, buffer, offset);
  return got === length ? buffer : buffer.subarray(0, got);
}

/** The file from its start into `target`, as much as fits; returns the bytes read. */
function readIntoSync(file: string, target: Uint8Array): number {
  const fd = openSync(file, 'r');
  try {
    return fillSync(fd, target, 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's first `length` bytes, then as many more as `more` asks for, through one opening of the
 * file, with synchronous calls. Planning reads the head of every file: through the thread pool,
 * each open, read and close is a round trip costing several times the call itself, which made the
 * file-system calls most of planning's time. Callers read many files this way in a loop that
 * yields to the event loop between files (see `eventLoopPacer`).
 */
export function readHeadSync(
  file: string,
  length: number,
  more?: WantMore,
  scratch?: Uint8Array,
): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    // Only the first read may use the scratch: a longer prefix joins it with the reads after it.
    return readPrefixSync(length, more, (offset, n) =>
      readAtSync(fd, offset, n, offset === 0 ? scratch : undefined),
    );
  } finally {
    closeSync(fd);
  }
}

/** The largest read while streaming a file: fewer, bigger chunks cost less CPU than 64 KiB ones. */
const CHUNK_BYTES = 1 << 20;

/**
 * A file's bytes in chunks of at most 1 MiB, each read into a buffer of the size still expected,
 * with synchronous calls. A read stream allocates a buffer of its full chunk size for every read and
 * copies what a short read filled into another, and every asynchronous call wakes a thread-pool
 * thread: for files of a few hundred KiB that cost more CPU than the read, and an upload shares the
 * machine's cores with everything else (the server, on a workstation). A read is bounded by the
 * chunk, and the consumer (the socket) runs between chunks.
 */
async function* fileChunks(file: string, expectedSize: number | undefined): AsyncGenerator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    let position = 0;
    for (;;) {
      const left = expectedSize === undefined ? CHUNK_BYTES : expectedSize - position;
      // Past the expected end, one small read tells a file that grew from one that ended.
      const length = left > 0 ? Math.min(left, CHUNK_BYTES) : 1;
      const buffer = unfilled(length);
      const bytesRead = readSync(fd, buffer, 0, length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

/** A file on disk, read when asked (streamed for sending, whole for DICOM transforms). */
export function pathContent(file: string): FileContent {
  return {
    open: (expectedSize) => fileChunks(file, expectedSize),
    readInto: (target) => readIntoSync(file, target),
    bytes: async () => new Uint8Array(await readFile(file)),
    // One open, positioned reads, no stat (the walk knows the size).
    prefix: async (length, more, scratch) => readHeadSync(file, length, more, scratch),
  };
}
