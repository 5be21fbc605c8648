import type { FormDataLike, HttpMethod } from './http-types';

/** A request body as one attempt sends it (a factory's result, already called). */
export type TransportBody = string | Uint8Array | Blob | FormDataLike | AsyncIterable<Uint8Array>;

/** One attempt, as the HTTP client hands it to a transport. */
export interface TransportRequest {
  /** Absolute URL with its query string. */
  url: string;
  /** The HTTP method. */
  method: HttpMethod;
  /** Lower-case names; the transport drops what its platform forbids (a browser's `user-agent`). */
  headers: Record<string, string>;
  /** The body of this attempt (a factory's result, already called), if any. */
  body: TransportBody | undefined;
  /** Fires on time-out (reason: an `APITimeoutError`) and on the caller's abort. */
  signal: AbortSignal;
}

/** The status line and headers of an answer, with its body still to read. */
export interface TransportResponse {
  /** The HTTP status. */
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text (UTF-8). */
  text(): Promise<string>;
  /** The body as bytes. */
  bytes(): Promise<Uint8Array>;
  /** Reads and drops the body (frees the connection). */
  dump(): Promise<void>;
  /** Abandons the body without reading it. */
  discard(): void;
}

/**
 * What carries requests: undici in Node, `fetch` in browsers. It only moves bytes; retries,
 * time-outs, idempotency and errors are the HTTP client's, identical whatever the transport. A
 * transport rejects with the platform's own error (its `code`, or its `cause`'s, names the failure).
 */
export interface Transport<R extends TransportResponse = TransportResponse> {
  /** Sends one attempt; resolves with the status and headers, rejects with the platform's error. */
  send(request: TransportRequest): Promise<R>;
  /** Closes idle connections (no-op where the platform owns them). */
  close(): Promise<void>;
}
