import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyBufferPool } from '../src/upload/body-buffers';
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

  describe('a body of at most 1 MiB, laid out in one reused buffer', () => {
    const fileBody = (file: string, size: number) => {
      const content = pathContent(file);
      return multipartBody([
        { name: 'source', value: 'api' },
        {
          name: 'resource',
          filename: path.basename(file),
          contentType: 'application/octet-stream',
          content: { size, open: () => content.open(size), readInto: content.readInto! },
        },
        { name: 'source_filepath', value: path.basename(file) },
      ]);
    };

    it('is one chunk with the same bytes as the streamed body, and its buffer serves the next body', async () => {
      const pool = new BodyBufferPool(2);
      const files = await Promise.all(
        [1, 300_000, 290_000, (1 << 20) - 1000].map(async (size, i) => {
          const file = path.join(dir, `whole-${i}.bin`);
          await writeFile(file, randomBytes(size));
          return { file, size };
        }),
      );
      const backings: ArrayBufferLike[] = [];
      for (const { file, size } of files) {
        const body = fileBody(file, size);
        const streamed = joined(await chunksOf(body.chunks()));
        const lease = pool.lease();
        const seen: number[] = [];
        const whole = body.attempt((n) => seen.push(n), lease);
        if (!(whole instanceof Uint8Array)) throw new Error('expected one buffer');
        expect(Buffer.from(whole).equals(streamed)).toBe(true);
        expect(whole.byteLength).toBe(body.length);
        expect(seen).toEqual([size]);
        backings.push(whole.buffer);
        lease.release();
      }
      // 1 byte fits no buffer the 300,000 bytes can use; 290,000 bytes reuse that one.
      expect(backings[1]).not.toBe(backings[0]);
      expect(backings[2]).toBe(backings[1]);
      expect(backings[3]).not.toBe(backings[2]);
    });

    it('streams bodies over 1 MiB in chunks even with a lease', async () => {
      const size = (1 << 20) + 10;
      const file = path.join(dir, 'over.bin');
      await writeFile(file, randomBytes(size));
      const streamed = fileBody(file, size).attempt(undefined, new BodyBufferPool(1).lease());
      expect(streamed).not.toBeInstanceOf(Uint8Array);
      const chunks = await chunksOf(streamed as AsyncIterable<Uint8Array>);
      expect(chunks.length).toBeGreaterThan(2);
      expect(joined(chunks).length).toBe(fileBody(file, size).length);
    });

    it('refuses a file that grew or shrank after planning, naming it', async () => {
      const file = path.join(dir, 'whole-changing.bin');
      await writeFile(file, Buffer.from('abcdef'));
      const lease = new BodyBufferPool(1).lease();
      expect(() => fileBody(file, 5).attempt(undefined, lease)).toThrow(
        /whole-changing\.bin changed while uploading: expected 5 bytes, read more than 5/,
      );
      expect(() => fileBody(file, 8).attempt(undefined, lease)).toThrow(/expected 8 bytes, read 6$/);
      expect(() => fileBody(file, 8).attempt(undefined, lease)).toThrow(ContentSizeError);
      const body = fileBody(file, 6).attempt(undefined, lease) as Uint8Array;
      expect(Buffer.from(body).toString()).toContain('\r\n\r\nabcdef\r\n');
    });

    it('names the file when it cannot be opened', () => {
      const missing = path.join(dir, 'missing-whole.bin');
      expect(() => pathContent(missing).readInto!(new Uint8Array(4))).toThrow(/ENOENT.*missing-whole\.bin/);
    });
  });

  it('names the file when it cannot be opened', async () => {
    const missing = path.join(dir, 'missing.bin');
    await expect(chunksOf(pathContent(missing).open(4))).rejects.toThrow(/ENOENT.*missing\.bin/);
  });
});
