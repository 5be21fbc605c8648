import { open, stat } from 'node:fs/promises';

/** Bytes compared at a time: files may be whole-body CTs, so they are never read whole. */
const CHUNK = 1 << 20;

/** Whether two files hold the same bytes: sizes first, then chunk by chunk. Missing files differ. */
export async function sameFileContent(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  if (!sa?.isFile() || !sb?.isFile() || sa.size !== sb.size) return false;
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.alloc(CHUNK);
    const bb = Buffer.alloc(CHUNK);
    for (let position = 0; position < sa.size; position += CHUNK) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, position), fb.read(bb, 0, CHUNK, position)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead)))
        return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
