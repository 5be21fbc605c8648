import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathContent } from '../src/upload/file-content';
import { ContentSizeError, multipartBody } from '../src/upload/multipart-body';

async function chunksOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(Uint8Array.from(chunk));
  return chunks;
}

const joined = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)));

describe('a file on disk, streamed for sending', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'datamint-file-content-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file of several MiB in chunks of at most 1 MiB sized to what is expected, every byte in order', async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 300_000);
    const file = path.join(dir, 'big.bin');
    await writeFile(file, bytes);
    const chunks = await chunksOf(pathContent(file).open(bytes.length));
    expect(chunks.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 300_000]);
    expect(joined(chunks).equals(bytes)).toBe(true);
    // Without an expected size: the same bytes, read a chunk at a time until the end.
    const unsized = await chunksOf(pathContent(file).open());
    expect(joined(unsized).equals(bytes)).toBe(true);
  });

  it('reads a small file in one read of its size, and an empty file as nothing', async () => {
    const small = path.join(dir, 'small.bin');
    await writeFile(small, Buffer.from('0123456789'));
    const chunks = await chunksOf(pathContent(small).open(10));
    expect(chunks.map((c) => Buffer.from(c).toString())).toEqual(['0123456789']);
    const empty = path.join(dir, 'empty.bin');
    await writeFile(empty, new Uint8Array(0));
    expect(await chunksOf(pathContent(empty).open(0))).toEqual([]);
  });

  it('streams what a file holds now when it grew or shrank after planning, so the body check can refuse it', async () => {
    const file = path.join(dir, 'changing.bin');
    await writeFile(file, Buffer.from('abcdef'));
    await appendFile(file, Buffer.from('gh'));
    expect(joined(await chunksOf(pathContent(file).open(6))).toString()).toBe('abcdefgh');
    await truncate(file, 3);
    expect(joined(await chunksOf(pathContent(file).open(6))).toString()).toBe('abc');

    const declared = (size: number) =>
      multipartBody([
        {
          name: 'resource',
          filename: 'changing.bin',
          contentType: 'application/octet-stream',
          content: { size, open: () => pathContent(file).open(size) },
        },
      ]).chunks();
    await expect(chunksOf(declared(6))).rejects.toBeInstanceOf(ContentSizeError);
    await expect(chunksOf(declared(2))).rejects.toThrow(/changing\.bin changed while uploading/);
    expect(joined(await chunksOf(declared(3))).toString()).toContain('\r\n\r\nabc\r\n');
  });

  it('names the file when it cannot be opened', async () => {
    const missing = path.join(dir, 'missing.bin');
    await expect(chunksOf(pathContent(missing).open(4))).rejects.toThrow(/ENOENT.*missing\.bin/);
  });
});
