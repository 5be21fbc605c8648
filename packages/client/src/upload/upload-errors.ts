import { DatamintException } from '@datamint/core';

export const DICOM_MIMETYPE = 'application/dicom';

/** A DICOM input that does not parse (truncated, not DICOM despite its name...). */
export class InvalidDicomError extends DatamintException {
  override name = 'InvalidDicomError';
  /** The input as the caller named it (path or name). */
  readonly source: string;
  constructor(source: string, cause: unknown) {
    super(
      `${source} is not a readable DICOM file: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.source = source;
  }
}

/** Anonymizing or assembling a DICOM failed. */
export class DicomTransformError extends DatamintException {
  override name = 'DicomTransformError';
  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A file or folder of an upload cannot be read (missing, no permission...): it fails alone. */
export class UnreadableFileError extends DatamintException {
  override name = 'UnreadableFileError';
  /** The path as the caller named it. */
  readonly source: string;
  /** The system error code, e.g. `EACCES` or `ENOENT`. */
  readonly code: string | undefined;
  constructor(source: string, message: string, code?: string) {
    super(`${source} cannot be read: ${message}`);
    this.source = source;
    this.code = code;
  }
}

/**
 * A file whose content is not what its name says (a `.png` that does not start like a PNG, a
 * `.nii` without a NIfTI header): the platform could not read it, so it fails alone.
 */
export class FileContentError extends DatamintException {
  override name = 'FileContentError';
  /** The input as the caller named it (path or name). */
  readonly source: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.source = source;
  }
}

/**
 * A file of a NIfTI `.hdr`/`.img` pair that cannot be uploaded as the one `.nii` the pair makes: a
 * header without its image or an image without its header, an image shorter than its header says,
 * or an Analyze 7.5 header (no NIfTI magic). Each file of the pair fails alone, naming itself.
 */
export class NiftiPairError extends DatamintException {
  override name = 'NiftiPairError';
  /** The file as the caller named it (path or name). */
  readonly source: string;
  /** Why, without the file's name. */
  readonly reason: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.source = source;
    this.reason = reason;
  }
}
