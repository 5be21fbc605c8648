import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatamintException, DirectoryCreateError } from '../src/index';
import { makeDirectory } from '../src/internal-node';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'datamint-mkdir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes the missing folders and accepts one that exists', async () => {
    await makeDirectory(join(root, 'a', 'b', 'c'));
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    await makeDirectory(join(root, 'a', 'b', 'c'));
    await makeDirectory(root);
  });

  it('gives the folders it makes the mode asked for, leaving existing ones alone', async () => {
    const before = statSync(root).mode & 0o777;
    await makeDirectory(join(root, 'secret', 'inner'), { mode: 0o700 });
    expect(statSync(join(root, 'secret')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'secret', 'inner')).mode & 0o777).toBe(0o700);
    expect(statSync(root).mode & 0o777).toBe(before);
  });

  it('names the file in the way, not the folder asked for', async () => {
    writeFileSync(join(root, 'afile'), 'x');
    for (const asked of [join(root, 'afile'), join(root, 'afile', 'sub', 'deeper')]) {
      const error = await makeDirectory(asked).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryCreateError);
      expect(error).toBeInstanceOf(DatamintException);
      expect(error).toMatchObject({ path: join(root, 'afile'), code: 'ENOTDIR' });
      expect((error as Error).message).toBe(`${join(root, 'afile')} is a file, not a folder`);
    }
    expect(existsSync(join(root, 'afile', 'sub'))).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self'))(
    'fails at once where a folder refuses children (/proc), where recursive mkdir loops',
    async () => {
      const error = await makeDirectory('/proc/x/y').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryCreateError);
      expect((error as Error).message).toBe(
        'cannot create the folder /proc/x: /proc does not accept new folders (ENOENT)',
      );
    },
    10_000,
  );
});
