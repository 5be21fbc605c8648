import { type FileHandle, open } from 'node:fs/promises';

/** How much of each file is compared at a time: memory stays bounded whatever the file sizes. */
const CHUNK_BYTES = 256 * 1024;

/** Whether two files hold the same bytes; reads both side by side and stops at the first difference. */
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
  if (statA.size !== statB.size) return false;
  const bufferA = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, statA.size));
  const bufferB = Buffer.allocUnsafe(bufferA.length);
  for (let position = 0; position < statA.size; ) {
    const length = Math.min(bufferA.length, statA.size - position);
    const [readA, readB] = await Promise.all([
      first.read(bufferA, 0, length, position),
      second.read(bufferB, 0, length, position),
    ]);
    // A file that shrank under us reads short: then it is not the same file any more.
    if (readA.bytesRead !== length || readB.bytesRead !== length) return false;
    if (!bufferA.subarray(0, length).equals(bufferB.subarray(0, length))) return false;
    position += length;
  }
  return true;
}
