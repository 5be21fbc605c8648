import { DatamintException } from '@datamint/core';

/** Content to send: its size and a way to read it, callable once per attempt. */
export interface UploadContent {
  size: number;
  open(): AsyncIterable<Uint8Array>;
}

export type MultipartPart =
  | { name: string; value: string; contentType?: string }
  | { name: string; filename: string; contentType: string; content: UploadContent };

export interface MultipartBody {
  contentType: string;
  length: number;
  /** The body, streamed; `onData` sees the byte count of every file chunk sent. */
  chunks(onData?: (bytes: number) => void): AsyncGenerator<Uint8Array, void, undefined>;
}

/** A file changed size between the moment it was measured and the moment it was sent. */
export class ContentSizeError extends DatamintException {
  override name = 'ContentSizeError';
  constructor(filename: string, expected: number, actual: string) {
    super(`${filename} changed while uploading: expected ${expected} bytes, read ${actual}`);
  }
}

const encoder = new TextEncoder();

/**
 * A multipart/form-data body laid out like aiohttp's (the Python SDK's): each part's Content-Type
 * before its Content-Disposition, text parts `text/plain; charset=utf-8` (http-api.md §1.6). The
 * length is known up front, and files are read while the body streams.
 */
export function multipartBody(parts: readonly MultipartPart[]): MultipartBody {
  const boundary = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  const segments: (Uint8Array | { filename: string; content: UploadContent })[] = [];
  // The text between two files goes out as one chunk: every chunk costs a socket write.
  let text = '';
  for (const part of parts) {
    if ('value' in part) {
      text += `--${boundary}\r\nContent-Type: ${part.contentType ?? 'text/plain; charset=utf-8'}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`;
    } else {
      text += `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n\r\n`;
      segments.push(encoder.encode(text));
      segments.push({ filename: part.filename, content: part.content });
      text = '\r\n';
    }
  }
  segments.push(encoder.encode(`${text}--${boundary}--\r\n`));
  const length = segments.reduce(
    (sum, s) => sum + (s instanceof Uint8Array ? s.byteLength : s.content.size),
    0,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    async *chunks(onData) {
      for (const segment of segments) {
        if (segment instanceof Uint8Array) {
          yield segment;
          continue;
        }
        const { content, filename } = segment;
        let read = 0;
        for await (const chunk of content.open()) {
          read += chunk.byteLength;
          // The declared Content-Length must stay true, or the request would be corrupt.
          if (read > content.size)
            throw new ContentSizeError(filename, content.size, `more than ${content.size}`);
          onData?.(chunk.byteLength);
          yield chunk;
        }
        if (read !== content.size) throw new ContentSizeError(filename, content.size, String(read));
      }
    },
  };
}

export function bytesContent(bytes: Uint8Array): UploadContent {
  return {
    size: bytes.byteLength,
    async *open() {
      yield bytes;
    },
  };
}
