import type { RecordedRequest } from './recording-proxy';

/** One part of a recorded multipart body. */
export interface RecordedPart {
  headers: string;
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

/** The parts of a recorded multipart body, in order. */
export function partsOf(request: RecordedRequest): RecordedPart[] {
  const boundary = /boundary=(\S+)/.exec(String(request.headers['content-type']))![1]!;
  const raw = request.body.toString('latin1');
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const end = chunk.indexOf('\r\n\r\n');
      const headers = chunk.slice(2, end);
      return {
        headers,
        name: /name="([^"]*)"/.exec(headers)![1]!,
        filename: /filename="([^"]*)"/.exec(headers)?.[1],
        contentType: /Content-Type: ([^\r\n]*)/i.exec(headers)?.[1],
        body: Buffer.from(chunk.slice(end + 4, -2), 'latin1'),
      };
    });
}
