import { multipartFileName } from '@datamint/core';
import { describe, expect, it } from 'vitest';
import { BodyBufferPool } from '../src/upload/body-buffers';
import {
  bytesContent,
  ContentReadError,
  ContentSizeError,
  multipartBody,
} from '../src/upload/multipart-body';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

describe('multipart body (aiohttp layout, http-api.md §1.6 and §4.8)', () => {
  it('puts Content-Type before Content-Disposition, percent-encodes the file name, knows its length', async () => {
    const body = multipartBody([
      { name: 'source', value: 'api' },
      {
        name: 'resource',
        filename: multipartFileName('img é 1.png'),
        contentType: 'image/png',
        content: bytesContent(new TextEncoder().encode('PNGDATA')),
      },
      { name: 'source_filepath', value: 'flat/img é 1.png' },
      { name: 'metadata', value: '{"a": 1}', contentType: 'application/json' },
    ]);
    const b = /boundary=([0-9a-f]{32})$/.exec(body.contentType)?.[1];
    expect(b).toBeDefined();
    const text = await collect(body.chunks());
    expect(text).toBe(
      `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: form-data; name="source"\r\n\r\napi\r\n` +
        `--${b}\r\nContent-Type: image/png\r\nContent-Disposition: form-data; name="resource"; filename="img%20%C3%A9%201.png"\r\n\r\nPNGDATA\r\n` +
        `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: form-data; name="source_filepath"\r\n\r\nflat/img é 1.png\r\n` +
        `--${b}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"a": 1}\r\n` +
        `--${b}--\r\n`,
    );
    expect(body.length).toBe(Buffer.byteLength(text));
  });

  it('sends the text around a file as one chunk each (every chunk is a socket write)', async () => {
    const body = multipartBody([
      { name: 'source', value: 'api' },
      { name: 'resource', filename: 'a.bin', contentType: 'x/y', content: bytesContent(new Uint8Array(5)) },
      { name: 'source_filepath', value: 'a.bin' },
      { name: 'channel', value: 'c' },
    ]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of body.chunks()) chunks.push(chunk);
    expect(chunks.map((c) => c.byteLength)[1]).toBe(5);
    expect(chunks).toHaveLength(3);
    const text = chunks.map((c) => Buffer.from(c).toString('latin1'));
    expect(text[0]).toMatch(
      /name="source"\r\n\r\napi\r\n--[0-9a-f]{32}\r\n.*name="resource"; filename="a\.bin"\r\n\r\n$/s,
    );
    expect(text[2]).toMatch(
      /^\r\n--[0-9a-f]{32}\r\n.*name="source_filepath".*name="channel"\r\n\r\nc\r\n--[0-9a-f]{32}--\r\n$/s,
    );
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(body.length);
  });

  it('names a file in its errors as the user knows it, not as the wire encodes it', async () => {
    const wireName = multipartFileName('café scan.bin');
    expect(wireName).not.toBe('café scan.bin');
    const unreadable = {
      size: 3,
      readInto(): number {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
      async *open() {
        yield* [];
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    };
    const body = multipartBody([
      {
        name: 'resource',
        filename: wireName,
        contentType: 'x/y',
        content: unreadable,
        displayName: 'café scan.bin',
      },
    ]);
    const lease = new BodyBufferPool(1).lease();
    expect(() => body.attempt(undefined, lease)).toThrow(
      /^café scan\.bin could not be read while uploading: EACCES/,
    );
    await expect(collect(body.chunks())).rejects.toThrow(
      /^café scan\.bin could not be read while uploading: EACCES/,
    );
    const shrunk = {
      size: 10,
      readInto: () => 4,
      async *open() {
        yield new Uint8Array(4);
      },
    };
    const sized = multipartBody([
      {
        name: 'resource',
        filename: wireName,
        contentType: 'x/y',
        content: shrunk,
        displayName: 'café scan.bin',
      },
    ]);
    expect(() => sized.attempt(undefined, lease)).toThrow(/^café scan\.bin changed while uploading/);
  });

  it('closes a file the consumer stops reading, and passes an error thrown in by the consumer as it is', async () => {
    let closed = 0;
    const content = {
      size: 8,
      async *open() {
        try {
          yield new Uint8Array(4);
          yield new Uint8Array(4);
        } finally {
          closed++;
        }
      },
    };
    const parts = [{ name: 'resource', filename: 'f.bin', contentType: 'x/y', content }];
    const stopped = multipartBody(parts).chunks();
    await stopped.next(); // the header text
    await stopped.next(); // the file's first chunk
    await stopped.return();
    expect(closed).toBe(1);

    const thrownInto = multipartBody(parts).chunks();
    await thrownInto.next();
    await thrownInto.next();
    const consumerError = new TypeError('socket gone');
    await expect(thrownInto.throw(consumerError)).rejects.toBe(consumerError);
    expect(closed).toBe(2);
  });

  it('types a failure to start reading a file (a stream the platform cannot iterate) as ContentReadError', async () => {
    const content = {
      size: 2,
      open(): AsyncIterable<Uint8Array> {
        throw new TypeError('stream is not async iterable');
      },
    };
    const body = multipartBody([{ name: 'resource', filename: 'h.bin', contentType: 'x/y', content }]);
    await expect(collect(body.chunks())).rejects.toThrow(
      /^h\.bin could not be read while uploading: stream is not async iterable/,
    );
    await expect(collect(body.chunks())).rejects.toBeInstanceOf(ContentReadError);
  });

  it('fails when a file yields a different size than declared', async () => {
    const shrunk = {
      size: 10,
      async *open() {
        yield new Uint8Array(4);
      },
    };
    const body = multipartBody([
      { name: 'resource', filename: 'f.bin', contentType: 'x/y', content: shrunk },
    ]);
    await expect(collect(body.chunks())).rejects.toBeInstanceOf(ContentSizeError);
    const grown = { ...shrunk, size: 2 };
    await expect(
      collect(
        multipartBody([{ name: 'resource', filename: 'g.bin', contentType: 'x/y', content: grown }]).chunks(),
      ),
    ).rejects.toThrow(/g\.bin changed while uploading/);
  });
});
