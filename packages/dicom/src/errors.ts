import type { DataSet } from 'dicom-parser';

/** Root of every error thrown by `@datamint/dicom`. */
export class DicomError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What a {@link DicomParseError} is built from: where parsing stopped and what was expected. */
export interface DicomParseErrorDetails {
  /** Name of the file being parsed, when the caller gave one. */
  fileName?: string;
  /** Byte offset at which parsing failed (best known position). */
  offset?: number;
  /** What the parser expected to find there. */
  expected: string;
  /** Elements parsed before the failure (a dicom-parser DataSet), when any. */
  partial?: DataSet;
  /** The underlying failure (dicom-parser's message, an inflate error). */
  cause?: unknown;
}

/** The bytes are not DICOM, or not well-formed DICOM. */
export class DicomParseError extends DicomError {
  /** Name of the file being parsed, when the caller gave one. */
  readonly fileName: string | undefined;
  /** Byte offset at which parsing failed (best known position). */
  readonly offset: number | undefined;
  /** What the parser expected to find there. */
  readonly expected: string;
  /** Elements parsed before the failure (a dicom-parser DataSet), when any. */
  readonly partial: DataSet | undefined;

  /** The message names the file, the offset and what was expected. */
  constructor(message: string, details: DicomParseErrorDetails) {
    const where = [
      details.fileName ? `file ${details.fileName}` : undefined,
      details.offset !== undefined ? `offset ${details.offset}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(`${where ? `${where}: ` : ''}${message} (expected ${details.expected})`, { cause: details.cause });
    this.fileName = details.fileName;
    this.offset = details.offset;
    this.expected = details.expected;
    this.partial = details.partial;
  }
}

/** A tag, keyword or value given by the caller is not valid. */
export class DicomTagError extends DicomError {
  /** The tag, keyword or value given. */
  readonly input: unknown;
  constructor(message: string, input: unknown) {
    super(message);
    this.input = input;
  }
}

/** An edit cannot be written (bad value for its VR, edit of a missing sequence, ...). */
export class DicomWriteError extends DicomError {
  /** The tag of the edit, `(gggg,eeee)`, when one is at fault. */
  readonly tag: string | undefined;
  constructor(message: string, tag?: string) {
    super(tag ? `${tag}: ${message}` : message);
    this.tag = tag;
  }
}

/** Anonymization was refused or its options are invalid. */
export class DicomAnonymizeError extends DicomError {
  /** Name of the file, when the caller gave one. */
  readonly fileName: string | undefined;
  constructor(message: string, fileName?: string) {
    super(fileName ? `file ${fileName}: ${message}` : message);
    this.fileName = fileName;
  }
}
