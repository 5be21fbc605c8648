import { DatamintException } from '@datamint/core';

/** A method argument is missing, has the wrong type or an impossible value. */
export class ValidationError extends DatamintException {
  override name = 'ValidationError';
  /** The option or argument at fault, e.g. `frameIndex` or `segmentationFiles[2].names`. */
  readonly field: string;
  /** The value given. */
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string) {
    super(`Invalid ${field}: got ${describe(value)}, expected ${expected}`);
    this.field = field;
    this.value = value;
  }
}

/** Connecting failed (bad URL, refused, unknown key...). The original error is `cause`. */
export class ConnectionCheckError extends DatamintException {
  override name = 'ConnectionCheckError';
  /** The message says to check the key and URL, followed by the original error's message. */
  constructor(cause: unknown) {
    super(
      `Error connecting to the Datamint API. Please check your api_key and/or other configurations. ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/** One file of an upload failed; `cause` is the underlying error (HTTP, I/O, DICOM...). */
export class UploadFileError extends DatamintException {
  override name = 'UploadFileError';
  /** The input as the caller named it (path or name). */
  readonly source: string;
  /** Set when the resource was created but a later step (segmentations, publishing) failed. */
  readonly resourceId: string | undefined;

  constructor(source: string, cause: unknown, resourceId?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Uploading ${JSON.stringify(source)} failed${resourceId ? ` after creating resource ${resourceId}` : ''}: ${reason}`,
      { cause },
    );
    this.source = source;
    this.resourceId = resourceId;
  }
}

/** A downloaded file could not be decoded as its mimetype says. */
export class DecodeError extends DatamintException {
  override name = 'DecodeError';
  /** The type it was decoded as. */
  readonly mimetype: string;
  constructor(what: string, mimetype: string, cause: unknown) {
    super(`Cannot decode ${what} as ${mimetype}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.mimetype = mimetype;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) return `Uint8Array(${value.byteLength})`;
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The server answered 2xx with a body that does not have the documented shape. */
export class UnexpectedResponseError extends DatamintException {
  override name = 'UnexpectedResponseError';
  /** The body received. */
  readonly body: unknown;
  constructor(what: string, body: unknown, expected: string) {
    super(`Unexpected response from ${what}: got ${describe(body)}, expected ${expected}`);
    this.body = body;
  }
}
