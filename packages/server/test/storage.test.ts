import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/storage';

describe('the file store puts files in place', () => {
  it('makes a folder on first use, again when it was removed, and refuses a missing temp file or a taken place', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dm-store-'));
    try {
      const store = new FileStore(dir);
      await store.init();
      const first = store.keyFor('resources', randomUUID());
      await store.writeBytes(first, new TextEncoder().encode('one'));
      expect(await readFile(store.pathOf(first), 'utf8')).toBe('one');

      // The same folder, removed behind the store's back: the next commit makes it again.
      const second = store.keyFor('resources', `${first.split('/')[1]}${randomUUID().slice(2)}`);
      await rm(path.dirname(store.pathOf(first)), { recursive: true });
      const temp = store.newTempPath();
      await writeFile(temp, 'two');
      await store.commit(temp, second);
      expect(await readFile(store.pathOf(second), 'utf8')).toBe('two');
      expect(existsSync(temp)).toBe(false);

      // Any other failure is not a missing folder: it is thrown as it is, and nothing is moved.
      const blocked = store.keyFor('resources', randomUUID());
      await mkdir(path.join(store.pathOf(blocked), 'inside'), { recursive: true });
      const kept = store.newTempPath();
      await writeFile(kept, 'three');
      await expect(store.commit(kept, blocked)).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
      expect(await readFile(kept, 'utf8')).toBe('three');

      await expect(
        store.commit(store.newTempPath(), store.keyFor('masks', randomUUID())),
      ).rejects.toMatchObject({
        code: 'ENOENT',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
