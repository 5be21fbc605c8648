/** Where an error was found, so messages and handlers can name the culprit. */
export interface MaskErrorContext {
  /** File name given by the caller (`fileName` option), if any. */
  file?: string;
  /** Header field, option or chunk that was wrong, e.g. `datatype`, `frameIndex`, `IDAT`. */
  field?: string;
  /** The offending value. */
  value?: unknown;
}

/**
 * Root of every error thrown by `@datamint/segmentation`. This package depends on no other workspace
 * package, so it cannot extend `DatamintException`; `@datamint/client` re-wraps it where needed.
 */
export class MaskError extends Error {
  /** File name given by the caller (`fileName` option), if any. */
  readonly file: string | undefined;
  /** Header field, option or chunk that was wrong, e.g. `datatype`, `frameIndex`, `IDAT`. */
  readonly field: string | undefined;
  /** The offending value. */
  readonly value: unknown;

  /** The message names the input and what was expected; `context` fills the fields above. */
  constructor(message: string, context: MaskErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.file = context.file;
    this.field = context.field;
    this.value = context.value;
  }
}

/** The bytes are not a readable PNG or NIfTI mask: bad signature, bad CRC, truncated, unsupported type. */
export class MaskFormatError extends MaskError {}

/** A voxel value cannot be a label: negative, non-integral, not finite or larger than 2^32-1. */
export class MaskValueError extends MaskError {}

/** Shapes disagree: array length vs shape, frame count vs `frameIndex`, mask vs target resource. */
export class MaskShapeError extends MaskError {}

/** `names` cannot produce identifiers: a label without a name, duplicate identifiers, bad keys. */
export class MaskNameError extends MaskError {}

/** How errors refer to the input: the caller's file name, or a neutral word. */
export function describeSource(file: string | undefined, fallback = 'mask'): string {
  return file === undefined ? fallback : JSON.stringify(file);
}
