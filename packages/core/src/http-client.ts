import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher, FormData, request as undiciRequest } from 'undici';
import { type BackoffPolicy, retryAfterMs, sleep } from './backoff';
import {
  APIBodyError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  DatamintException,
  DownloadWriteError,
  errorForResponse,
  unknownOutcomeNote,
} from './errors';
import { encodeQuery, type JsonValue, pythonJsonDumps, type QueryParams } from './query';
import { redactSecrets, redactUrl } from './redact';
import { type AttemptOutcome, decideRetry, needsCapabilityProbe } from './retry-decision';
import { USER_AGENT } from './version';
import { IDEMPOTENCY_CAPABILITY_HEADER, IDEMPOTENCY_HONOURED, IDEMPOTENCY_KEY_HEADER } from './wire-contract';

/** The HTTP methods the client sends; GET, HEAD, PUT and DELETE are retried freely, POST and PATCH only when safe. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How an {@link HttpClient} connects: the API, the key, time-outs, retries and connection pool. */
export interface HttpClientOptions {
  /** The API URL (`http` or `https`); anything else is a `DatamintException` at construction. */
  rootUrl: string;
  /** The API key, sent as the `apikey` header; never logged or put in an error. */
  apiKey: string;
  /** Per-attempt time-out in ms (default 120 000). For streamed responses it covers the headers and each idle gap. */
  timeout?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Connections kept per origin (default 16). */
  maxConnections?: number;
  /** Appended to our User-Agent, e.g. `my-pipeline/1.2`. */
  userAgent?: string;
  /** Debug hook: one event per attempt, retry and failure. Secrets are already masked. */
  log?: (event: RequestLogEvent) => void;
  /** Bring your own undici dispatcher (proxy, mock-free test agent...). Not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Delays between retries (default 500 ms doubling up to 8 s, with jitter). */
  backoff?: Partial<BackoffPolicy>;
}

/** One event of the `log` debug hook. */
export interface RequestLogEvent {
  /** An attempt starts, a response arrived, a retry is scheduled, or the call failed for good. */
  type: 'request' | 'response' | 'retry' | 'error';
  /** The HTTP method. */
  method: string;
  /** Redacted. */
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The response status, when there is one. */
  status?: number;
  /** How long the attempt took. */
  durationMs?: number;
  /** For `retry`: the wait before the next attempt. */
  delayMs?: number;
  /** For `retry` and `error`: what went wrong (redacted). */
  error?: string;
  /** A curl command reproducing the request, with the key masked. */
  curl: string;
}

/** One request of {@link HttpClient}: what to send and how hard to try. */
export interface RequestOptions {
  /** The HTTP method. */
  method: HttpMethod;
  /** Path relative to the root URL (`resources/abc`), or an absolute URL. */
  path: string;
  /** Query parameters, encoded as the Python SDK encodes them. */
  query?: QueryParams;
  /** Serialised like Python's `json.dumps` and sent as `application/json`. */
  json?: JsonValue | object;
  /**
   * A function is called once per attempt, so a streamed body (a file read stream, a generator)
   * is rebuilt for every retry; give its `content-length` in `headers` when it is known.
   */
  body?: FormData | Uint8Array | string | BodyFactory;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Aborts the call (then `APIUserAbortError`), including the waits between retries. */
  signal?: AbortSignal;
  /** Per-attempt time-out in ms for this call. */
  timeout?: number;
  /** Retries after the first attempt for this call. */
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

/** Builds a request body for one attempt. */
export type BodyFactory = () => AsyncIterable<Uint8Array> | Readable;

/** A response whose body is still streaming (from `requestStream`). */
export interface StreamResponse {
  /** The HTTP status (2xx; failures are thrown). */
  status: number;
  /** The response headers (lower-case names). */
  headers: Record<string, string>;
  /** The `content-type` header. */
  contentType: string | undefined;
  /** The `content-length` header, when sent. */
  contentLength: number | undefined;
  /** The body; consume or destroy it. */
  body: Readable;
}

/** A response read whole into memory (from `requestBytes`). */
export interface BytesResponse {
  /** The HTTP status (2xx; failures are thrown). */
  status: number;
  /** The response headers (lower-case names). */
  headers: Record<string, string>;
  /** The `content-type` header. */
  contentType: string | undefined;
  /** The body. */
  bytes: Uint8Array;
}

/** How far a download got. */
export interface DownloadProgress {
  /** Bytes received so far. */
  bytes: number;
  /** The expected total (`content-length`), when the server sent one. */
  totalBytes: number | undefined;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function carriesError(body: unknown): unknown {
  if (body && typeof body === 'object') {
    if (Array.isArray(body)) {
      for (const element of body) {
        if (element && typeof element === 'object' && !Array.isArray(element) && 'error' in element) {
          return (element as Record<string, unknown>).error;
        }
      }
      return undefined;
    }
    if ('error' in body) return (body as Record<string, unknown>).error ?? 'error';
  }
  return undefined;
}

interface Attempt {
  controller: AbortController;
  timedOut: () => boolean;
  /** Restart the idle timer (stream reads). */
  touch: () => void;
  done: () => void;
}

/**
 * The one HTTP client every package uses: undici Agent with keep-alive and bounded
 * connections, retries with backoff and `Retry-After`, time-outs and abort signals, typed errors.
 */
export class HttpClient {
  /** The API URL, without trailing slashes. */
  readonly rootUrl: string;
  /** The per-attempt time-out in milliseconds. */
  readonly timeout: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly #apiKey: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #userAgent: string;
  readonly #log: ((event: RequestLogEvent) => void) | undefined;
  readonly #backoff: BackoffPolicy;
  #honoursIdempotencyKeys = false;
  #sawResponse = false;
  #capabilityProbe: Promise<void> | undefined;

  /** @throws DatamintException for a URL that is not http(s) or a missing key. No I/O happens here. */
  constructor(options: HttpClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.rootUrl);
    } catch {
      throw new DatamintException(
        `Invalid Datamint API URL ${JSON.stringify(options.rootUrl)}: expected e.g. https://api.datamint.io`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new DatamintException(
        `Invalid Datamint API URL ${JSON.stringify(options.rootUrl)}: only http and https are supported`,
      );
    }
    if (!options.apiKey) throw new DatamintException('HttpClient needs an apiKey');
    this.rootUrl = options.rootUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.timeout = options.timeout ?? 120_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.#userAgent = options.userAgent ? `${USER_AGENT} ${options.userAgent}` : USER_AGENT;
    this.#log = options.log;
    this.#backoff = { baseDelayMs: 500, maxDelayMs: 8000, ...options.backoff };
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      this.#dispatcher = new Agent({
        connections: options.maxConnections ?? 16,
        keepAliveTimeout: 10_000,
        // Our own timers enforce time-outs (per call); undici's defaults would cut slow uploads.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.#ownsDispatcher = true;
    }
  }

  /** Whether the server has shown that it creates once per `Idempotency-Key`. */
  get honoursIdempotencyKeys(): boolean {
    return this.#honoursIdempotencyKeys;
  }

  /** Closes idle connections. Pending requests finish first. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** Text safe to put in errors and logs: the key masked. */
  redact(text: string): string {
    return redactSecrets(text, [this.#apiKey]);
  }

  /** The absolute URL of `path` (relative to `rootUrl`, or already absolute) with `query` encoded. */
  urlFor(path: string, query?: QueryParams): string {
    const base = /^https?:\/\//i.test(path) ? path : `${this.rootUrl}/${path.replace(/^\/+/, '')}`;
    const qs = encodeQuery(query);
    return qs ? `${base}${base.includes('?') ? '&' : '?'}${qs}` : base;
  }

  /**
   * JSON (or text when the server did not send JSON; `null` for an empty body).
   * @throws The `APIError` subclass of a failed status (a 404 or a "not found" message:
   * `ResourceNotFoundError`), `APIBodyError` for a 2xx body carrying `error`, `APIConnectionError` or
   * `APITimeoutError` once the retries ran out, `APIUserAbortError` when `signal` fires.
   */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    return this.#send(options, async (res, url) => {
      const text = await res.body.text();
      const contentType = flattenHeaders(res.headers)['content-type'];
      let body: unknown = text;
      if (text.length === 0) body = null;
      else if (isJsonContentType(contentType) || /^\s*[[{]/.test(text)) {
        try {
          body = JSON.parse(text);
        } catch (error) {
          if (isJsonContentType(contentType)) {
            throw new DatamintException(
              `${options.method} ${url} returned invalid JSON: ${(error as Error).message}`,
            );
          }
        }
      }
      if (options.checkBodyError !== false) {
        const err = carriesError(body);
        if (err !== undefined) {
          throw new APIBodyError(this.redact(typeof err === 'string' ? err : JSON.stringify(err)), {
            body,
            method: options.method,
            url,
          });
        }
      }
      return body as T;
    });
  }

  /** The whole response body as bytes (a file, a rendered frame); errors as for `request`. */
  async requestBytes(options: RequestOptions): Promise<BytesResponse> {
    return this.#send(options, async (res) => {
      const headers = flattenHeaders(res.headers);
      return {
        status: res.statusCode,
        headers,
        contentType: headers['content-type'],
        bytes: new Uint8Array(await res.body.arrayBuffer()),
      };
    });
  }

  /**
   * A streamed response. The caller must consume or destroy `body`. The time-out covers the
   * headers and then every idle gap between chunks.
   */
  async requestStream(options: RequestOptions): Promise<StreamResponse> {
    return this.#send(
      options,
      async (res, _url, attempt) => {
        const headers = flattenHeaders(res.headers);
        const body = res.body as unknown as Readable;
        body.on('data', attempt.touch);
        body.once('close', attempt.done);
        const length = headers['content-length'];
        return {
          status: res.statusCode,
          headers,
          contentType: headers['content-type'],
          contentLength: length !== undefined ? Number(length) : undefined,
          body,
        };
      },
      { stream: true },
    );
  }

  /**
   * Streams a response to `destination` (written to a temporary name and renamed, so a failed
   * download never leaves a half-written file under the final name).
   */
  async download(
    options: RequestOptions & { destination: string; onProgress?: (p: DownloadProgress) => void },
  ): Promise<{
    /** Bytes written. */
    bytes: number;
    /** The `content-type` header. */
    contentType: string | undefined;
    /** The response headers (lower-case names). */
    headers: Record<string, string>;
  }> {
    const response = await this.requestStream(options);
    const tmp = `${options.destination}.${process.pid}.${Date.now()}.part`;
    let bytes = 0;
    if (options.onProgress) {
      const report = options.onProgress;
      response.body.on('data', (chunk: Uint8Array) => {
        bytes += chunk.byteLength;
        report({ bytes, totalBytes: response.contentLength });
      });
    } else {
      response.body.on('data', (chunk: Uint8Array) => {
        bytes += chunk.byteLength;
      });
    }
    const file = createWriteStream(tmp);
    // A local file-system failure is not a transport failure: it gets its own error. The file
    // stream also re-emits the body's errors when the pipeline tears it down; those have no syscall.
    let fileError: unknown;
    file.on('error', (error: NodeJS.ErrnoException) => {
      if (typeof error.syscall === 'string') fileError ??= error;
    });
    try {
      await pipeline(response.body, file);
    } catch (error) {
      await rm(tmp, { force: true });
      if (fileError !== undefined && error === fileError)
        throw new DownloadWriteError(options.destination, error);
      throw this.#wrapTransportError(error, options, this.urlFor(options.path, options.query), undefined);
    }
    try {
      await rename(tmp, options.destination);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new DownloadWriteError(options.destination, error);
    }
    return { bytes, contentType: response.contentType, headers: response.headers };
  }

  #curl(method: string, url: string, headers: Record<string, string>, options: RequestOptions): string {
    const parts = [`curl -X ${method} '${url}'`];
    for (const [k, v] of Object.entries(headers)) parts.push(`-H '${k}: ${k === 'apikey' ? '***' : v}'`);
    if (options.json !== undefined)
      parts.push(`--data-raw '${this.redact(pythonJsonDumps(options.json as JsonValue))}'`);
    else if (typeof options.body === 'function') parts.push(`--data-binary @-`);
    else if (options.body instanceof FormData) {
      for (const [name, value] of options.body.entries()) {
        parts.push(
          typeof value === 'string' ? `-F '${name}=${this.redact(value)}'` : `-F '${name}=@${value.name}'`,
        );
      }
    }
    return parts.join(' ');
  }

  #wrapTransportError(
    error: unknown,
    options: RequestOptions,
    url: string,
    attempt: Attempt | undefined,
  ): DatamintException {
    for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
      if (e instanceof DatamintException) return e;
    }
    const shownUrl = redactUrl(url, [this.#apiKey]);
    if (options.signal?.aborted) {
      return new APIUserAbortError({ method: options.method, url: shownUrl, cause: error });
    }
    if (attempt?.timedOut()) {
      return new APITimeoutError({
        method: options.method,
        url: shownUrl,
        timeoutMs: options.timeout ?? this.timeout,
        cause: error,
      });
    }
    const code = errorCode(error);
    if (
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return new APITimeoutError({
        method: options.method,
        url: shownUrl,
        timeoutMs: options.timeout ?? this.timeout,
        cause: error,
      });
    }
    const reason = this.redact(error instanceof Error ? error.message : String(error));
    return new APIConnectionError(
      `${options.method} ${shownUrl} failed: ${reason}${code ? ` (${code})` : ''}`,
      {
        method: options.method,
        url: shownUrl,
        code,
        cause: error,
      },
    );
  }

  #startAttempt(options: RequestOptions, shownUrl: string): Attempt {
    const controller = new AbortController();
    const timeoutMs = options.timeout ?? this.timeout;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          timedOut = true;
          // The reason travels with undici's abort into body streams, so a stream consumer
          // (download) can tell a time-out from other failures.
          controller.abort(new APITimeoutError({ method: options.method, url: shownUrl, timeoutMs }));
        }, timeoutMs);
        timer.unref?.();
      }
    };
    const onUserAbort = () =>
      controller.abort(
        new APIUserAbortError({ method: options.method, url: shownUrl, cause: options.signal?.reason }),
      );
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    arm();
    return {
      controller,
      timedOut: () => timedOut,
      touch: arm,
      done: () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onUserAbort);
      },
    };
  }

  async #send<R>(
    options: RequestOptions,
    consume: (res: Dispatcher.ResponseData, url: string, attempt: Attempt) => Promise<R>,
    mode: { stream?: boolean } = {},
  ): Promise<R> {
    const url = this.urlFor(options.path, options.query);
    const shownUrl = redactUrl(url, [this.#apiKey]);
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const headers: Record<string, string> = {
      'user-agent': this.#userAgent,
      accept: 'application/json, */*;q=0.5',
      ...options.headers,
      ...(options.idempotencyKey !== undefined ? { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey } : {}),
      apikey: this.#apiKey,
    };
    let body: Dispatcher.DispatchOptions['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = pythonJsonDumps(options.json as JsonValue);
    } else if (options.body !== undefined && typeof options.body !== 'function') {
      body = options.body as Dispatcher.DispatchOptions['body'];
    }
    const factory = typeof options.body === 'function' ? options.body : undefined;

    if (needsCapabilityProbe(options.idempotencyKey !== undefined, this.#sawResponse))
      await this.#probeCapabilities();

    for (let attemptIndex = 0; ; attemptIndex++) {
      if (options.signal?.aborted)
        throw new APIUserAbortError({ method: options.method, url: shownUrl, cause: options.signal.reason });
      const attempt = this.#startAttempt(options, shownUrl);
      const started = Date.now();
      const curl = this.#log ? this.#curl(options.method, shownUrl, headers, options) : '';
      this.#log?.({
        type: 'request',
        method: options.method,
        url: shownUrl,
        attempt: attemptIndex + 1,
        curl,
      });
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(url, {
          method: options.method,
          headers,
          body: factory ? (factory() as Dispatcher.DispatchOptions['body']) : body,
          dispatcher: this.#dispatcher,
          signal: attempt.controller.signal,
        });
      } catch (error) {
        attempt.done();
        await this.#retryAfterTransportError(error, {
          options,
          url,
          shownUrl,
          curl,
          attempt,
          attemptIndex,
          maxRetries,
        });
        continue;
      }

      const status = res.statusCode;
      this.#noteCapabilities(res.headers);
      this.#log?.({
        type: 'response',
        method: options.method,
        url: shownUrl,
        attempt: attemptIndex + 1,
        status,
        durationMs: Date.now() - started,
        curl,
      });
      if (status >= 400) {
        let errorBody: unknown;
        try {
          const text = await res.body.text();
          errorBody = text;
          if (
            text &&
            (isJsonContentType(res.headers['content-type'] as string | undefined) || /^\s*[[{]/.test(text))
          ) {
            try {
              errorBody = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
        } catch (error) {
          attempt.done();
          throw this.#wrapTransportError(error, options, url, attempt);
        }
        attempt.done();
        const flat = flattenHeaders(res.headers);
        const decision = decideRetry(
          this.#facts(options, attemptIndex, maxRetries, {
            kind: 'status',
            status,
            retryAfterMs: retryAfterMs(flat),
          }),
          this.#backoff,
        );
        if (decision.retry) {
          const { delayMs } = decision;
          this.#log?.({
            type: 'retry',
            method: options.method,
            url: shownUrl,
            attempt: attemptIndex + 1,
            status,
            delayMs,
            curl,
          });
          await sleep(delayMs, options.signal);
          continue;
        }
        const redactedBody =
          typeof errorBody === 'string'
            ? this.redact(errorBody)
            : JSON.parse(this.redact(JSON.stringify(errorBody ?? null)));
        throw errorForResponse({
          status,
          body: redactedBody,
          requestId: flat['x-request-id'] ?? flat['request-id'],
          method: options.method,
          url: shownUrl,
          headers: flat,
        });
      }
      try {
        const result = await consume(res, shownUrl, attempt);
        if (!mode.stream) attempt.done();
        return result;
      } catch (error) {
        attempt.done();
        if (!mode.stream) res.body.destroy();
        // A body cut off by a reset or a stall is retried like a failed connection; a stream
        // already handed to the caller cannot be.
        await this.#retryAfterTransportError(error, {
          options,
          url,
          shownUrl,
          curl,
          attempt,
          attemptIndex,
          maxRetries: mode.stream ? attemptIndex : maxRetries,
        });
      }
    }
  }

  #noteCapabilities(headers: Dispatcher.ResponseData['headers']): void {
    this.#sawResponse = true;
    if (headers[IDEMPOTENCY_CAPABILITY_HEADER] === IDEMPOTENCY_HONOURED) this.#honoursIdempotencyKeys = true;
  }

  /**
   * Before the first keyed create, learn whether the server honours Idempotency-Key (one GET of the
   * root URL, whatever its status), so a reset on that very first create can be retried safely.
   * A failed probe just leaves keyed creates unrepeated.
   */
  #probeCapabilities(): Promise<void> {
    this.#capabilityProbe ??= (async () => {
      try {
        const res = await undiciRequest(`${this.rootUrl}/`, {
          method: 'GET',
          headers: { 'user-agent': this.#userAgent, apikey: this.#apiKey },
          dispatcher: this.#dispatcher,
          signal: AbortSignal.timeout(Math.min(this.timeout, 10_000)),
        });
        this.#noteCapabilities(res.headers);
        await res.body.dump();
      } catch {
        // Unknown: creates stay unrepeated after lost responses.
      }
    })();
    return this.#capabilityProbe;
  }

  /** The facts the retry policy decides on (evaluated per attempt: a response may have revealed the key capability). */
  #facts(options: RequestOptions, attemptIndex: number, maxRetries: number, outcome: AttemptOutcome) {
    return {
      method: options.method,
      attemptIndex,
      maxRetries,
      retrySafe: options.retrySafe === true,
      hasIdempotencyKey: options.idempotencyKey !== undefined,
      serverHonoursKeys: this.#honoursIdempotencyKeys,
      outcome,
    };
  }

  /** Throws the wrapped error when the failure is final; otherwise logs and waits out the backoff. */
  async #retryAfterTransportError(
    error: unknown,
    ctx: {
      options: RequestOptions;
      url: string;
      shownUrl: string;
      curl: string;
      attempt: Attempt;
      attemptIndex: number;
      maxRetries: number;
    },
  ): Promise<void> {
    const { options, attemptIndex } = ctx;
    const wrapped = this.#wrapTransportError(error, options, ctx.url, ctx.attempt);
    const event = {
      method: options.method,
      url: ctx.shownUrl,
      attempt: attemptIndex + 1,
      error: wrapped.message,
      curl: ctx.curl,
    };
    const decision = decideRetry(
      this.#facts(options, attemptIndex, ctx.maxRetries, transportOutcome(error, wrapped)),
      this.#backoff,
    );
    if (!decision.retry) {
      this.#log?.({ type: 'error', ...event });
      throw decision.outcomeUnknown ? markUnknownOutcome(wrapped, options) : wrapped;
    }
    this.#log?.({ type: 'retry', ...event, delayMs: decision.delayMs });
    await sleep(decision.delayMs, options.signal);
  }
}

/** How a failed attempt ended, for the retry policy. */
function transportOutcome(error: unknown, wrapped: DatamintException): AttemptOutcome {
  if (wrapped instanceof APIUserAbortError) return { kind: 'abort' };
  const code = errorCode(error);
  if (wrapped instanceof APITimeoutError) return { kind: 'timeout', code };
  if (wrapped instanceof APIConnectionError) return { kind: 'connection', code };
  return { kind: 'other' };
}

/**
 * A creating request that may have reached the server and got no answer: its error says the outcome
 * is unknown (and carries the key to retry with), so callers do not re-run it blindly.
 */
function markUnknownOutcome(wrapped: DatamintException, options: RequestOptions): DatamintException {
  if (!(wrapped instanceof APIConnectionError) || wrapped.outcomeUnknown) return wrapped;
  const init = {
    method: wrapped.method,
    url: wrapped.url,
    code: wrapped.code,
    cause: wrapped.cause,
    outcomeUnknown: true,
    idempotencyKey: options.idempotencyKey,
  };
  return wrapped instanceof APITimeoutError
    ? new APITimeoutError({ ...init, timeoutMs: wrapped.timeoutMs })
    : new APIConnectionError(`${wrapped.message}${unknownOutcomeNote(init)}`, init);
}
