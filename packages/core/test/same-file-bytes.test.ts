import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameFileBytes } from '../src/internal-node';

describe('sameFileBytes', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'same-bytes-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function file(name: string, bytes: Uint8Array | string): Promise<string> {
    const path = join(root, name);
    await writeFile(path, bytes);
    return path;
  }

  // Larger than one comparison chunk, so the difference is found in a later read.
  const big = new Uint8Array(600 * 1024).map((_, i) => i % 251);

  it.each([
    ['identical small files', 'abc', 'abc', true],
    ['empty files', '', '', true],
    ['same size, one byte differs', 'abc', 'abd', false],
    ['different sizes', 'abc', 'abcd', false],
  ])('%s', async (label, a, b, expected) => {
    expect(await sameFileBytes(await file(`${label}-a`, a), await file(`${label}-b`, b))).toBe(expected);
  });

  it('compares files larger than one chunk to their last byte', async () => {
    const changed = big.slice();
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) + 1;
    const a = await file('big-a', big);
    expect(await sameFileBytes(a, await file('big-b', big))).toBe(true);
    expect(await sameFileBytes(a, await file('big-c', changed))).toBe(false);
  });

  it('a folder never matches, even one whose size equals the file', async () => {
    const sized = await file('sized', new Uint8Array(4096));
    expect(await sameFileBytes(sized, root)).toBe(false);
  });

  it('a missing file is an ENOENT error, left to the caller', async () => {
    const present = await file('present', 'x');
    await expect(sameFileBytes(present, join(root, 'absent'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(sameFileBytes(join(root, 'absent'), present)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a sparse file of zeros equals a written one of the same length', async () => {
    const sparse = join(root, 'sparse');
    await writeFile(sparse, '');
    await truncate(sparse, 300 * 1024);
    expect(await sameFileBytes(sparse, await file('zeros', new Uint8Array(300 * 1024)))).toBe(true);
  });
});
