import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServerError } from './errors';

export type FileKind = 'resources' | 'masks';

const KEY_PATTERN = /^(resources|masks)\/[0-9a-f]{2}\/[0-9a-f-]{36}$/;

/** The stored file key was not produced by this store (a corrupt row, never user input). */
export class StorageKeyError extends ServerError {}

/**
 * Files live under `<dataDir>/files/<kind>/<2 hex>/<uuid>`: names come only from server-made ids,
 * never from client input. Writes go to `<dataDir>/tmp` first and are renamed into place (same
 * file system), so a reader never sees a partial file and a failed upload leaves nothing behind.
 */
export class FileStore {
  readonly filesDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.filesDir = join(dataDir, 'files');
    this.tmpDir = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.filesDir, { recursive: true });
    // Leftovers of a crash are incomplete by definition.
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  keyFor(kind: FileKind, id: string): string {
    const key = `${kind}/${id.slice(0, 2)}/${id}`;
    if (!KEY_PATTERN.test(key)) throw new StorageKeyError(`cannot build a file key from id '${id}'`);
    return key;
  }

  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new StorageKeyError(`invalid stored file key '${key}'`);
    return join(this.filesDir, key);
  }

  newTempPath(): string {
    return join(this.tmpDir, `${randomUUID()}.part`);
  }

  /** Streams `source` into a temp file; returns its size. The temp file is removed on failure. */
  async writeTemp(source: Readable, tempPath: string): Promise<number> {
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    try {
      await pipeline(source, createWriteStream(tempPath, { flags: 'wx' }));
    } catch (err) {
      await rm(tempPath, { force: true });
      throw err;
    }
    return size;
  }

  async commit(tempPath: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await rename(tempPath, target);
    } catch (err) {
      // The folder is made on first use only: there are 256 per kind, and making sure of one
      // before every rename was a file-system call per upload for nothing.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(target), { recursive: true });
      await rename(tempPath, target);
    }
  }

  async writeBytes(key: string, bytes: Uint8Array): Promise<void> {
    const temp = this.newTempPath();
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await this.commit(temp, key);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async discardTemp(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async sizeOf(key: string): Promise<number> {
    return (await stat(this.pathOf(key))).size;
  }

  /** Number of files currently in the temp area (used by tests and health checks). */
  async pendingTempFiles(): Promise<number> {
    return (await readdir(this.tmpDir)).length;
  }
}
