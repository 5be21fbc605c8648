/**
 * The error tree. Every error this project throws is a `DatamintException`, so callers can
 * catch ours without catching programming errors. Library errors (undici's) never escape:
 * they are wrapped and kept as `cause`.
 */

export class DatamintException extends Error {
  override name = 'DatamintException';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface APIErrorInit {
  status: number;
  body: unknown;
  requestId?: string | undefined;
  method: string;
  /** Already redacted: never carries the API key. */
  url: string;
  headers?: Record<string, string>;
}

/** The server answered with a status >= 400. */
export class APIError extends DatamintException {
  override name = 'APIError';
  readonly status: number;
  /** Parsed JSON body when the response was JSON, otherwise the body text. */
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;

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

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/**
 * A named entity does not exist. Raised for 404s, for 4xx bodies whose message contains
 * " not found" (the Python SDK's rule, http-api.md §1.8), and by client-side look-ups
 * (e.g. a project name that is not in the project list). The HTTP error, when there is one,
 * is `response` (and `cause`).
 */
export class ResourceNotFoundError extends DatamintException {
  override name = 'ResourceNotFoundError';
  readonly resourceType: string;
  readonly params: Record<string, unknown>;
  readonly response: APIError | undefined;

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

/** A 2xx response whose JSON body carries an `error` key (http-api.md §1.8). */
export class APIBodyError extends DatamintException {
  override name = 'APIBodyError';
  readonly body: unknown;
  readonly method: string;
  readonly url: string;
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
  readonly method: string;
  readonly url: string;
  readonly code: string | undefined;
  /**
   * `true` when a creating request (POST, PATCH) reached the server and no answer came back: it may
   * or may not have been stored. Retry it with the same `idempotencyKey` (a server that honours keys
   * then answers with what the first attempt created); without a key, check before re-running.
   */
  readonly outcomeUnknown: boolean;
  /** The `Idempotency-Key` the request was sent with, to retry it safely. */
  readonly idempotencyKey: string | undefined;
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

export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
  readonly timeoutMs: number;
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
  readonly method: string | undefined;
  readonly url: string | undefined;
  constructor(init: { method?: string; url?: string; cause?: unknown } = {}) {
    super(init.method ? `${init.method} ${init.url} was aborted` : 'The operation was aborted', {
      cause: init.cause,
    });
    this.method = init.method;
    this.url = init.url;
  }
}

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
