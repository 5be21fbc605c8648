import { DatamintException } from '@datamint/core';

/**
 * Something that needs Node (a file path, a journal on disk, a gzip-compressed mask) was asked of
 * the browser build. Pass `File`s, `Blob`s or dropped entries instead of paths.
 */
export class BrowserUnsupportedError extends DatamintException {
  override name = 'BrowserUnsupportedError';
  /** The Node operation that was asked for, e.g. `fs.readFile`. */
  readonly operation: string;
  constructor(operation: string, subject?: unknown) {
    super(
      `${operation}${subject === undefined ? '' : `(${JSON.stringify(String(subject))})`} is not available in the browser: ` +
        'pass File, Blob or dropped entries instead of paths',
    );
    this.operation = operation;
  }
}

/** A function that refuses with {@link BrowserUnsupportedError}. */
export function unsupported(operation: string): (subject?: unknown) => never {
  return (subject?: unknown) => {
    throw new BrowserUnsupportedError(operation, subject);
  };
}
