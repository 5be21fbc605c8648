import type { BackoffPolicy } from './backoff';
import type { JsonValue, QueryParams } from './query';

/** The methods the client sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Settings of an HTTP client, whatever carries its requests. */
export interface HttpClientSettings {
  /** The API's base URL (`http:` or `https:`), e.g. `https://api.datamint.io`; trailing slashes are dropped. */
  rootUrl: string;
  /** The API key, sent in the `apikey` header; masked as `***` in every error and log event. */
  apiKey: string;
  /** Per-attempt time-out in ms (default 120 000). For streamed responses it covers the headers and each idle gap. */
  timeout?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Appended to our User-Agent, e.g. `my-pipeline/1.2` (browsers send their own User-Agent). */
  userAgent?: string;
  /** Debug hook: one event per attempt, retry and failure. Secrets are already masked. */
  log?: (event: RequestLogEvent) => void;
  /** Delays between retries (default 500 ms doubling up to 8 s, with jitter). */
  backoff?: Partial<BackoffPolicy>;
}

/** One debug event: an attempt, its answer, a retry or a final failure. */
export interface RequestLogEvent {
  /** An attempt starts, its answer arrived, a retry is scheduled, or the call failed for good. */
  type: 'request' | 'response' | 'retry' | 'error';
  /** The HTTP method. */
  method: string;
  /** Redacted. */
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The answer's status (`response`, and `retry` after a status). */
  status?: number;
  /** Time from sending to the answer's headers (`response`). */
  durationMs?: number;
  /** Wait before the next attempt (`retry`). */
  delayMs?: number;
  /** The failure's message, key masked (`retry` after a transport failure, `error`). */
  error?: string;
  /** A curl command reproducing the request, with the key masked. */
  curl: string;
}

/**
 * A multipart form: the platform's `FormData` (a browser's, Node's global one, or undici's, which
 * `@datamint/core` exports in Node). Typed by shape so each platform's class fits.
 */
export interface FormDataLike {
  /** Adds a field (text, or a file part named `fileName`). */
  append(name: string, value: string | Blob, fileName?: string): void;
  /** Visits every field (the debug log lists them in its curl command). */
  forEach(callback: (value: unknown, key: string) => void): void;
}

/**
 * Builds a request body for one attempt: bytes, or chunks streamed as they are read (a Node
 * `Readable` is such an iterable).
 */
export type BodyFactory = () => AsyncIterable<Uint8Array> | Uint8Array;

/** One call: what to send and how patiently. */
export interface RequestOptions {
  /** The HTTP method; it decides what may be repeated after a failure (see `README`, Retries). */
  method: HttpMethod;
  /** Path relative to the root URL (`resources/abc`), or an absolute URL. */
  path: string;
  /** Query parameters, encoded as the Python SDK encodes them (`True`/`False`, `+` for spaces). */
  query?: QueryParams;
  /** Serialised like Python's `json.dumps` and sent as `application/json`. */
  json?: JsonValue | object;
  /**
   * A function is called once per attempt, so a streamed body (a file read stream, a generator)
   * is rebuilt for every retry; give its `content-length` in `headers` when it is known.
   */
  body?: FormDataLike | Uint8Array | string | Blob | BodyFactory;
  /** Extra request headers (the key, user agent and idempotency key are set by the client). */
  headers?: Record<string, string>;
  /** Cancels the call, waits included: it then fails with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Per-attempt time-out in ms for this call. */
  timeout?: number;
  /** Retries after the first attempt for this call (default: the client's). */
  maxRetries?: number;
  /**
   * Marks a non-idempotent request (POST/PATCH) as safe to repeat: set it only when a repeat
   * cannot create a duplicate.
   */
  retrySafe?: boolean;
  /**
   * Sent as the `Idempotency-Key` header of a creating request (keep it the same for every
   * attempt of one logical call). The request is repeated after a lost response only once the
   * server has shown that it honours keys (header `x-datamint-idempotency: honoured` on any
   * response); a server that ignores them could create duplicates, so there it is not.
   */
  idempotencyKey?: string;
  /** Raise `APIBodyError` when a 2xx JSON body carries `error` (default true). */
  checkBodyError?: boolean;
}

/** A whole response body as bytes. */
export interface BytesResponse {
  /** The 2xx status. */
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** The `content-type` header, when sent. */
  contentType: string | undefined;
  /** The body. */
  bytes: Uint8Array;
}

/** How much of a download has arrived. */
export interface DownloadProgress {
  /** Bytes received so far. */
  bytes: number;
  /** The `content-length` of the answer, when the server sent one. */
  totalBytes: number | undefined;
}
