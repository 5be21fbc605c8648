/**
 * The error tree. Every error this project throws is a `DatamintException`, so callers can
 * catch ours without catching programming errors. Library errors (undici's) never escape:
 * they are wrapped and kept as `cause`.
 */

/** The base of every error this project throws: `catch (e) { if (e instanceof DatamintException) ... }`. */
export class DatamintException extends Error {
  /** The class name, so logs and `String(error)` say which error it is. */
  override name = 'DatamintException';
  /** `options.cause` keeps the underlying error (a library's, or the HTTP error behind a look-up). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What an `APIError` is built from: the failed response and the request it answered. */
export interface APIErrorInit {
  /** The HTTP status (>= 400). */
  status: number;
  /** Parsed JSON body when the response was JSON, otherwise the body text. */
  body: unknown;
  /** The server's request id header, when it sent one (quote it in support requests). */
  requestId?: string | undefined;
  /** The HTTP method of the request. */
  method: string;
  /** Already redacted: never carries the API key. */
  url: string;
  /** The response headers (lower-case names). */
  headers?: Record<string, string>;
}

/** The server answered with a status >= 400. */
export class APIError extends DatamintException {
  override name = 'APIError';
  /** The HTTP status (>= 400); the subclass says which family (`NotFoundError` is 404, ...). */
  readonly status: number;
  /** Parsed JSON body when the response was JSON, otherwise the body text. */
  readonly body: unknown;
  /** The server's request id header, when it sent one (quote it in support requests). */
  readonly requestId: string | undefined;
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The request URL, with the API key redacted. */
  readonly url: string;
  /** The response headers (lower-case names), e.g. `retry-after` on a 429. */
  readonly headers: Record<string, string>;

  /** Usually built by `errorForResponse`, which picks the subclass from the status. */
  constructor(message: string, init: APIErrorInit) {
    super(message);
    this.status = init.status;
    this.body = init.body;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
    this.headers = init.headers ?? {};
  }

  /** The server's `message` field when it sent one (NestJS-style bodies). */
  get serverMessage(): string | undefined {
    return serverMessageOf(this.body);
  }
}

/** 400: the server rejected the request's parameters or body; `serverMessage` says which. */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
/** 401: the API key is missing or wrong (check `DATAMINT_API_KEY` or `datamint config`). */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** 403: the key is valid but may not do this. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/**
 * 404: nothing at that URL. Request methods usually surface it as a `ResourceNotFoundError`
 * naming what was looked for, with this error as its `response`.
 */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
/** 409: the request conflicts with the stored state (a taken name, an entity still in use). */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/** 413: the body (an upload, a decoded frame) exceeds a server limit; `serverMessage` names it. */
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
/** 422: the body was well-formed but its values were not accepted. */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
/** 429: too many requests; raised after the retries (which honour `Retry-After`) ran out. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
/** 5xx: the server failed; raised after the retries ran out. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/**
 * A named entity does not exist. Raised for 404s, for 4xx bodies whose message contains
 * " not found" (the Python SDK's rule), and by client-side look-ups
 * (e.g. a project name that is not in the project list). The HTTP error, when there is one,
 * is `response` (and `cause`).
 */
export class ResourceNotFoundError extends DatamintException {
  override name = 'ResourceNotFoundError';
  /** What was looked for, e.g. `'project'` (`'unknown'` until a caller relabels a bare 404). */
  readonly resourceType: string;
  /** What identified it, e.g. `{ name: 'Lungs' }`. */
  readonly params: Record<string, unknown>;
  /** The HTTP error behind it; `undefined` for a client-side look-up that found nothing. */
  readonly response: APIError | undefined;

  /** The message names `resourceType` and `params`. */
  constructor(resourceType: string, params: Record<string, unknown> = {}, response?: APIError) {
    super(`Resource '${resourceType}' not found for parameters: ${JSON.stringify(params)}`, {
      cause: response,
    });
    this.resourceType = resourceType;
    this.params = params;
    this.response = response;
  }

  /** The same failure, relabelled with what the caller was looking for. */
  relabel(resourceType: string, params: Record<string, unknown>): ResourceNotFoundError {
    return new ResourceNotFoundError(resourceType, params, this.response);
  }
}

/** A 2xx response whose JSON body carries an `error` key: the platform's way of failing with a 200. */
export class APIBodyError extends DatamintException {
  override name = 'APIBodyError';
  /** The parsed response body (its `error` key says what failed). */
  readonly body: unknown;
  /** The HTTP method of the request. */
  readonly method: string;
  /** The request URL, with the API key redacted. */
  readonly url: string;
  /** The message is the body's `error`. */
  constructor(message: string, init: { body: unknown; method: string; url: string }) {
    super(message);
    this.body = init.body;
    this.method = init.method;
    this.url = init.url;
  }
}

/** A download arrived but could not be written to its destination (missing folder, no permission, full disk). */
export class DownloadWriteError extends DatamintException {
  override name = 'DownloadWriteError';
  /** The file the caller asked for. */
  readonly destination: string;
  /** `cause` is the file-system error; its message is repeated in this one. */
  constructor(destination: string, cause: unknown) {
    super(
      `Cannot write the download to ${destination}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.destination = destination;
  }
}

/** The sentence a connection error's message ends with when the outcome of a create is unknown. */
export function unknownOutcomeNote(init: { outcomeUnknown?: boolean; idempotencyKey?: string }): string {
  if (!init.outcomeUnknown) return '';
  return init.idempotencyKey === undefined
    ? '; the server may have stored it (outcome unknown): check before re-running'
    : `; the server may have stored it (outcome unknown): retry with the same Idempotency-Key '${init.idempotencyKey}'`;
}

/** The request never got a complete response: refused, reset, DNS failure, TLS failure... */
export class APIConnectionError extends DatamintException {
  override name = 'APIConnectionError';
  /** The HTTP method of the request. */
  readonly method: string;
  /** The request URL, with the API key redacted. */
  readonly url: string;
  /** The system or undici error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...), when there is one. */
  readonly code: string | undefined;
  /**
   * `true` when a creating request (POST, PATCH) reached the server and no answer came back: it may
   * or may not have been stored. Retry it with the same `idempotencyKey` (a server that honours keys
   * then answers with what the first attempt created); without a key, check before re-running.
   */
  readonly outcomeUnknown: boolean;
  /** The `Idempotency-Key` the request was sent with, to retry it safely. */
  readonly idempotencyKey: string | undefined;
  /** `init.cause` keeps the transport's own error. */
  constructor(
    message: string,
    init: {
      method: string;
      url: string;
      code?: string;
      cause?: unknown;
      outcomeUnknown?: boolean;
      idempotencyKey?: string;
    },
  ) {
    super(message, { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
    this.code = init.code;
    this.outcomeUnknown = init.outcomeUnknown === true;
    this.idempotencyKey = init.idempotencyKey;
  }
}

/** No complete response within the time-out (per client `timeout`, or per call); retried like a connection error. */
export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
  /** The time-out that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** The message names the request and the time-out. */
  constructor(init: {
    method: string;
    url: string;
    timeoutMs: number;
    cause?: unknown;
    outcomeUnknown?: boolean;
    idempotencyKey?: string;
  }) {
    super(`${init.method} ${init.url} timed out after ${init.timeoutMs} ms${unknownOutcomeNote(init)}`, init);
    this.timeoutMs = init.timeoutMs;
  }
}

/** The caller's AbortSignal fired. */
export class APIUserAbortError extends DatamintException {
  override name = 'APIUserAbortError';
  /** The HTTP method of the aborted request; `undefined` when no request was in flight. */
  readonly method: string | undefined;
  /** The aborted request's URL (key redacted); `undefined` when no request was in flight. */
  readonly url: string | undefined;
  /** `init.cause` is the signal's reason. */
  constructor(init: { method?: string; url?: string; cause?: unknown } = {}) {
    super(init.method ? `${init.method} ${init.url} was aborted` : 'The operation was aborted', {
      cause: init.cause,
    });
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * The human-readable `message` of an error body (`{ message: '...' }` or a list of messages joined
 * with `; `), or `undefined` when the body has none.
 */
export function serverMessageOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const message = (body as Record<string, unknown>).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message.join('; ');
  }
  return undefined;
}

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * Builds the error for a failed response. A 4xx whose message contains " not found"
 * (leading space included, as the Python SDK tests it) or any 404 becomes a
 * `ResourceNotFoundError('unknown', {})` that callers relabel.
 */
export function errorForResponse(init: APIErrorInit): APIError | ResourceNotFoundError {
  const serverMessage = serverMessageOf(init.body);
  const detail =
    serverMessage ?? (typeof init.body === 'string' && init.body.length > 0 ? init.body.slice(0, 500) : '');
  const message = `${init.method} ${init.url} failed with status ${init.status}${detail ? `: ${detail}` : ''}`;
  const Cls = STATUS_CLASSES[init.status] ?? (init.status >= 500 ? InternalServerError : APIError);
  const apiError = new Cls(message, init);
  const saysNotFound =
    typeof serverMessage === 'string' && serverMessage.toLowerCase().includes(' not found');
  if (init.status === 404 || (init.status >= 400 && init.status < 500 && saysNotFound)) {
    return new ResourceNotFoundError('unknown', {}, apiError);
  }
  return apiError;
}
