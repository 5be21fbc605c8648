import { type BackoffPolicy, retryAfterMs, sleep } from './backoff';
import { errorCode, failureReason } from './error-code';
import {
  APIBodyError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  DatamintException,
  errorForResponse,
  unknownOutcomeNote,
} from './errors';
import type {
  BytesResponse,
  FormDataLike,
  HttpClientSettings,
  RequestLogEvent,
  RequestOptions,
} from './http-types';
import { encodeQuery, type JsonValue, pythonJsonDumps, type QueryParams } from './query';
import { redactSecrets, redactUrl } from './redact';
import { type AttemptFacts, type AttemptOutcome, decideRetry, needsCapabilityProbe } from './retry-decision';
import type { Transport, TransportBody, TransportResponse } from './transport';
import { USER_AGENT } from './version';
import { IDEMPOTENCY_CAPABILITY_HEADER, IDEMPOTENCY_HONOURED, IDEMPOTENCY_KEY_HEADER } from './wire-contract';

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

function isFormData(body: unknown): body is FormDataLike {
  return (
    !!body &&
    typeof body === 'object' &&
    (body as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'FormData' &&
    typeof (body as FormDataLike).forEach === 'function'
  );
}

/** One attempt's timers and abort wiring. */
export interface Attempt {
  /** Aborts the attempt (its time-out, or the caller's signal, with a typed reason). */
  controller: AbortController;
  /** Whether the attempt's own time-out fired. */
  timedOut: () => boolean;
  /** Restart the idle timer (stream reads). */
  touch: () => void;
  /** Stops the timer and the abort wiring (the body was consumed or abandoned). */
  done: () => void;
}

/**
 * What an HTTP client is, whatever carries its requests (undici in Node, `fetch` in browsers):
 * retries decided by one pure policy (the same for every transport), time-outs and abort signals, idempotency keys, typed
 * errors with the key masked. The platform's `HttpClient` extends it with its transport.
 */
export class HttpCore<R extends TransportResponse = TransportResponse> {
  /** The API's base URL, without trailing slashes. */
  readonly rootUrl: string;
  /** Per-attempt time-out in ms. */
  readonly timeout: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly #apiKey: string;
  readonly #transport: Transport<R>;
  readonly #userAgent: string;
  readonly #log: ((event: RequestLogEvent) => void) | undefined;
  readonly #backoff: BackoffPolicy;
  #honoursIdempotencyKeys = false;
  #sawResponse = false;
  #capabilityProbe: Promise<void> | undefined;

  /** Validates the settings (a bad URL or a missing key is a `DatamintException`) and keeps the transport. */
  constructor(options: HttpClientSettings, transport: Transport<R>) {
    let parsed: URL;
    try {
      parsed = new URL(options.rootUrl);
    } catch {
      throw new DatamintException(
        `invalid Datamint API URL ${JSON.stringify(options.rootUrl)}: expected e.g. https://api.datamint.io`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new DatamintException(
        `invalid Datamint API URL ${JSON.stringify(options.rootUrl)}: only http and https are supported`,
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
    this.#transport = transport;
  }

  /** Whether the server has shown that it creates once per `Idempotency-Key`. */
  get honoursIdempotencyKeys(): boolean {
    return this.#honoursIdempotencyKeys;
  }

  /** Closes idle connections. Pending requests finish first. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** Text safe to put in errors and logs: the key masked. */
  redact(text: string): string {
    return redactSecrets(text, [this.#apiKey]);
  }

  /** The absolute URL of `path` (relative to the root URL, or already absolute) with its query string. */
  urlFor(path: string, query?: QueryParams): string {
    const base = /^https?:\/\//i.test(path) ? path : `${this.rootUrl}/${path.replace(/^\/+/, '')}`;
    const qs = encodeQuery(query);
    return qs ? `${base}${base.includes('?') ? '&' : '?'}${qs}` : base;
  }

  /** JSON (or text when the server did not send JSON; `null` for an empty body). */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    return this.send(options, async (res, url) => {
      const text = await res.text();
      const contentType = res.headers['content-type'];
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

  /** The whole body as bytes, with the status and headers. */
  async requestBytes(options: RequestOptions): Promise<BytesResponse> {
    return this.send(options, async (res) => ({
      status: res.status,
      headers: res.headers,
      contentType: res.headers['content-type'],
      bytes: await res.bytes(),
    }));
  }

  #curl(method: string, url: string, headers: Record<string, string>, options: RequestOptions): string {
    const parts = [`curl -X ${method} '${url}'`];
    for (const [k, v] of Object.entries(headers)) parts.push(`-H '${k}: ${k === 'apikey' ? '***' : v}'`);
    if (options.json !== undefined)
      parts.push(`--data-raw '${this.redact(pythonJsonDumps(options.json as JsonValue))}'`);
    else if (typeof options.body === 'function') parts.push(`--data-binary @-`);
    else if (isFormData(options.body)) {
      options.body.forEach((value, name) => {
        parts.push(
          typeof value === 'string'
            ? `-F '${name}=${this.redact(value)}'`
            : `-F '${name}=@${(value as { name?: string }).name ?? 'blob'}'`,
        );
      });
    }
    return parts.join(' ');
  }

  /** The typed error for a failure of the transport (never one of the platform's own error types). */
  protected wrapTransportError(
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
    const reason = this.redact(failureReason(error, code));
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          timedOut = true;
          // The reason travels with the transport's abort into body streams, so a stream consumer
          // (download) can tell a time-out from other failures.
          controller.abort(new APITimeoutError({ method: options.method, url: shownUrl, timeoutMs }));
        }, timeoutMs);
        // Node: a pending time-out must not keep the process alive (browsers have no unref).
        (timer as { unref?: () => void }).unref?.();
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

  /**
   * Sends `options` with retries and hands a 2xx answer to `consume`. With `mode.stream` the body
   * is the caller's once consumed (its time-out keeps running until the attempt's `done`), so a
   * failure after that is final.
   */
  protected async send<T>(
    options: RequestOptions,
    consume: (res: R, url: string, attempt: Attempt) => Promise<T>,
    mode: { stream?: boolean } = {},
  ): Promise<T> {
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
    let body: TransportBody | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = pythonJsonDumps(options.json as JsonValue);
    } else if (options.body !== undefined && typeof options.body !== 'function') {
      body = options.body;
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
      let res: R;
      try {
        res = await this.#transport.send({
          url,
          method: options.method,
          headers,
          body: factory ? factory() : body,
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

      const status = res.status;
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
          const text = await res.text();
          errorBody = text;
          if (text && (isJsonContentType(res.headers['content-type']) || /^\s*[[{]/.test(text))) {
            try {
              errorBody = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
        } catch (error) {
          attempt.done();
          throw this.wrapTransportError(error, options, url, attempt);
        }
        attempt.done();
        const decision = decideRetry(
          this.#facts(options, attemptIndex, maxRetries, {
            kind: 'status',
            status,
            retryAfterMs: retryAfterMs(res.headers),
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
          requestId: res.headers['x-request-id'] ?? res.headers['request-id'],
          method: options.method,
          url: shownUrl,
          headers: res.headers,
        });
      }
      try {
        const result = await consume(res, shownUrl, attempt);
        if (!mode.stream) attempt.done();
        return result;
      } catch (error) {
        attempt.done();
        if (!mode.stream) res.discard();
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

  #noteCapabilities(headers: Record<string, string>): void {
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
        const res = await this.#transport.send({
          url: `${this.rootUrl}/`,
          method: 'GET',
          headers: { 'user-agent': this.#userAgent, apikey: this.#apiKey },
          body: undefined,
          signal: AbortSignal.timeout(Math.min(this.timeout, 10_000)),
        });
        this.#noteCapabilities(res.headers);
        await res.dump();
      } catch {
        // Unknown: creates stay unrepeated after lost responses.
      }
    })();
    return this.#capabilityProbe;
  }

  /** The facts the retry policy decides on (per attempt: a response may have revealed the key capability). */
  #facts(
    options: RequestOptions,
    attemptIndex: number,
    maxRetries: number,
    outcome: AttemptOutcome,
  ): AttemptFacts {
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
    const wrapped = this.wrapTransportError(error, options, ctx.url, ctx.attempt);
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
