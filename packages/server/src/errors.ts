import { DatamintException } from '@datamint/core';

/** Base of every error the server package throws; part of the project's `DatamintException` tree. */
export class ServerError extends DatamintException {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid `startServer` options or command-line flags. */
export class ServerConfigError extends ServerError {}

/**
 * An error answered to an HTTP client as `{statusCode, message, error}`. Route code throws these;
 * the error handler turns them into replies.
 */
export class HttpError extends ServerError {
  /** The HTTP status answered. */
  readonly statusCode: number;
  /** The status's reason phrase (`Bad Request`, ...), sent as `error`. */
  readonly error: string;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers: Record<string, string>;

  /** `message` is sent to the client: it says what was wrong, never a secret. */
  constructor(statusCode: number, error: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.error = error;
    this.headers = headers;
  }
}

/** 400: a parameter or body field is missing or invalid (the message names it). */
export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, 'Bad Request', message);
  }
}

/** 401: no API key, or one the server does not know. */
export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'Unauthorized', 'Unauthorized');
  }
}

/**
 * The addressed entity does not exist for this customer. The message always contains " not found",
 * which is how the Python SDK recognises missing entities.
 */
export class NotFoundError extends HttpError {
  /** What was looked for (`Resource`, `Project`, ...). */
  readonly entity: string;
  constructor(entity: string, detail?: string) {
    super(404, 'Not Found', detail ? `${entity} not found: ${detail}` : `${entity} not found`);
    this.entity = entity;
  }
}

/** 409: the request conflicts with the stored state (a taken name, an entity still in use). */
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'Conflict', message);
  }
}

/** 413: a body or decoded frame exceeds a configured limit (the message names the limit). */
export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, 'Payload Too Large', message);
  }
}

/** The request is well formed but cannot be honoured as sent (e.g. an Idempotency-Key reused for other content). */
export class UnprocessableEntityError extends HttpError {
  constructor(message: string) {
    super(422, 'Unprocessable Entity', message);
  }
}

/** 415: the body's content type is not one the route accepts. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, 'Unsupported Media Type', message);
  }
}

/** A valid request the local server cannot fulfil, e.g. a compressed DICOM frame. */
export class NotImplementedHttpError extends HttpError {
  constructor(message: string) {
    super(501, 'Not Implemented', message);
  }
}

/** 503: the server is too busy to take the request now (e.g. the render queue is full); retry after `retry-after`. */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, 'Service Unavailable', message, { 'retry-after': String(retryAfterSeconds) });
  }
}
