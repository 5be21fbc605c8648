import { DatamintException } from '@datamint/core';
import type { BodyLease } from './body-buffers';

/** Content to send: its size and a way to read it, callable once per attempt. */
export interface UploadContent {
  size: number;
  open(): AsyncIterable<Uint8Array>;
  /**
   * For content read synchronously (a file on disk): the content from its start into `target`, as
   * much as fits, returning the bytes read.
   */
  readInto?(target: Uint8Array): number;
}

export type MultipartPart =
  | { name: string; value: string; contentType?: string }
  | {
      name: string;
      /** The name as sent: percent-encoded where the wire needs it. */
      filename: string;
      contentType: string;
      content: UploadContent;
      /** How errors name the file (default: `filename`); the name as the user knows it. */
      displayName?: string;
    };

export interface MultipartBody {
  contentType: string;
  length: number;
  /** The body, streamed; `onData` sees the byte count of every file chunk sent. */
  chunks(onData?: (bytes: number) => void): AsyncGenerator<Uint8Array, void, undefined>;
  /**
   * The body for one attempt: a body of at most 1 MiB whose files read synchronously is laid out
   * whole in a buffer of `buffers` (its files read now); any other is {@link chunks}.
   */
  attempt(
    onData: ((bytes: number) => void) | undefined,
    buffers: BodyLease,
  ): Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * The largest body laid out in one buffer. Bytes go to the socket in one write, without the stream
 * machinery an iterable body takes (generators, awaited writes): for files of a few hundred KiB
 * that machinery was a large part of the client's CPU per upload. Larger files are streamed, so
 * memory stays bounded by the chunk size.
 */
const WHOLE_BODY_MAX = 1 << 20;

/** Bytes laid out as they are, or a file's content with the name its errors give it. */
type Segment = Uint8Array | { shownName: string; content: UploadContent };

function sizeMismatch(filename: string, size: number, read: number): ContentSizeError {
  return new ContentSizeError(filename, size, read > size ? `more than ${size}` : String(read));
}

/** Lays the whole body out in `target` (exactly the body's length). */
function wholeBody(segments: readonly Segment[], target: Uint8Array, onData?: (bytes: number) => void) {
  let at = 0;
  for (const segment of segments) {
    if (segment instanceof Uint8Array) {
      target.set(segment, at);
      at += segment.byteLength;
      continue;
    }
    const { content, shownName } = segment;
    let read: number;
    try {
      // One byte more than declared tells a file that grew: the closing boundary always follows a
      // file and is written after it, over that byte.
      read = content.readInto!(target.subarray(at, at + content.size + 1));
    } catch (error) {
      throw readFailure(shownName, error);
    }
    // The declared Content-Length must stay true, or the request would be corrupt.
    if (read !== content.size) throw sizeMismatch(shownName, content.size, read);
    onData?.(read);
    at += read;
  }
  return target;
}

/** A file changed size between the moment it was measured and the moment it was sent. */
export class ContentSizeError extends DatamintException {
  override name = 'ContentSizeError';
  constructor(filename: string, expected: number, actual: string) {
    super(`${filename} changed while uploading: expected ${expected} bytes, read ${actual}`);
  }
}

/**
 * A file could not be read while its upload was being sent (removed, made unreadable, replaced by
 * a folder since planning). Typed, so the request is known not to have created anything: it is
 * neither repeated nor reported as an upload whose outcome is unknown.
 */
export class ContentReadError extends DatamintException {
  override name = 'ContentReadError';
  constructor(filename: string, cause: unknown) {
    super(
      `${filename} could not be read while uploading: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** A failure while reading `filename`'s content, typed (errors of our own pass as they are). */
function readFailure(filename: string, error: unknown): DatamintException {
  return error instanceof DatamintException ? error : new ContentReadError(filename, error);
}

const encoder = new TextEncoder();

/**
 * A multipart/form-data body laid out like aiohttp's (the Python SDK's): each part's Content-Type
 * before its Content-Disposition, text parts `text/plain; charset=utf-8` (http-api.md §1.6). The
 * length is known up front, and files are read while the body streams.
 */
export function multipartBody(parts: readonly MultipartPart[]): MultipartBody {
  // 32 hex digits, as 16 random bytes would give: randomUUID draws from a batch the runtime keeps,
  // where getRandomValues asks the system for every boundary (a measurable cost per small upload).
  const boundary = globalThis.crypto.randomUUID().replaceAll('-', '');
  const segments: Segment[] = [];
  // The text between two files goes out as one chunk: every chunk costs a socket write.
  let text = '';
  for (const part of parts) {
    if ('value' in part) {
      text += `--${boundary}\r\nContent-Type: ${part.contentType ?? 'text/plain; charset=utf-8'}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`;
    } else {
      text += `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n\r\n`;
      segments.push(encoder.encode(text));
      segments.push({ shownName: part.displayName ?? part.filename, content: part.content });
      text = '\r\n';
    }
  }
  segments.push(encoder.encode(`${text}--${boundary}--\r\n`));
  const length = segments.reduce(
    (sum, s) => sum + (s instanceof Uint8Array ? s.byteLength : s.content.size),
    0,
  );
  const whole =
    length <= WHOLE_BODY_MAX &&
    segments.every((s) => s instanceof Uint8Array || s.content.readInto !== undefined);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    attempt(onData, buffers) {
      return whole ? wholeBody(segments, buffers.take(length), onData) : this.chunks(onData);
    },
    async *chunks(onData) {
      for (const segment of segments) {
        if (segment instanceof Uint8Array) yield segment;
        else yield* fileChunks(segment.content, segment.shownName, onData);
      }
    },
  };
}

/**
 * One file's chunks, held to its declared size. Only failures of reading the file are typed as
 * such: the read is outside the `yield`, so an error thrown into the body by its consumer stays
 * what it is.
 */
async function* fileChunks(
  content: UploadContent,
  shownName: string,
  onData: ((bytes: number) => void) | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  let chunks: AsyncIterator<Uint8Array>;
  try {
    chunks = content.open()[Symbol.asyncIterator]();
  } catch (error) {
    throw readFailure(shownName, error);
  }
  let read = 0;
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await chunks.next();
      } catch (error) {
        throw readFailure(shownName, error);
      }
      if (step.done) break;
      read += step.value.byteLength;
      // The declared Content-Length must stay true, or the request would be corrupt.
      if (read > content.size) throw sizeMismatch(shownName, content.size, read);
      onData?.(step.value.byteLength);
      yield step.value;
    }
  } finally {
    // Closes the file when the read stopped early (the request failed, the file grew). A failure to
    // close must not replace the error that stopped it, nor fail a file read whole.
    await chunks.return?.().catch(() => undefined);
  }
  if (read !== content.size) throw sizeMismatch(shownName, content.size, read);
}

export function bytesContent(bytes: Uint8Array): UploadContent {
  return {
    size: bytes.byteLength,
    async *open() {
      yield bytes;
    },
  };
}
