import { type FileHandle, open } from 'node:fs/promises';

/** How much of each file is compared at a time: memory stays bounded whatever the file sizes. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Whether two files hold the same bytes: sizes first, then both read side by side in bounded chunks
 * (files may be whole-body CTs), stopping at the first difference. A folder or other non-file never
 * matches. A file that cannot be opened is an error (`ENOENT` for a missing one): callers decide
 * whether "missing" means "different" or something else.
 */
export async function sameFileBytes(a: string, b: string): Promise<boolean> {
  const first = await open(a, 'r');
  try {
    const second = await open(b, 'r');
    try {
      return await sameHandleBytes(first, second);
    } finally {
      await second.close();
    }
  } finally {
    await first.close();
  }
}

async function sameHandleBytes(first: FileHandle, second: FileHandle): Promise<boolean> {
  const [statA, statB] = await Promise.all([first.stat(), second.stat()]);
  if (!statA.isFile() || !statB.isFile() || statA.size !== statB.size) return false;
  const bufferA = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, statA.size));
  const bufferB = Buffer.allocUnsafe(bufferA.length);
  for (let position = 0; position < statA.size; ) {
    const length = Math.min(bufferA.length, statA.size - position);
    const [readA, readB] = await Promise.all([
      fill(first, bufferA, length, position),
      fill(second, bufferB, length, position),
    ]);
    // Only the end of a file stops a fill short: a file that shrank under us is not the same file.
    if (readA !== length || readB !== length) return false;
    if (!bufferA.subarray(0, length).equals(bufferB.subarray(0, length))) return false;
    position += length;
  }
  return true;
}

/**
 * Reads `length` bytes at `position` into `buffer`, or fewer at the end of the file: a single read
 * may return less than asked (network and FUSE file systems do) without being at the end.
 */
async function fill(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
