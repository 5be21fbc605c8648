import { DicomError } from '../errors';

/** Where a frame failed to decode. */
export interface DicomDecodeErrorDetails {
  /** Name of the file, when the parse was given one. */
  fileName?: string;
  /** Zero-based frame index. */
  frame: number;
  /** Transfer syntax of the pixel data. */
  transferSyntaxUID: string;
  /** The codec's own error, when there is one. */
  cause?: unknown;
}

/**
 * A frame could not be decoded: truncated or corrupt bitstream, a bitstream whose size disagrees
 * with Rows/Columns/SamplesPerPixel, an image above the configured size limit, or a transfer syntax
 * without a decoder.
 */
export class DicomDecodeError extends DicomError {
  /** Name of the file, when the parse was given one. */
  readonly fileName: string | undefined;
  /** Zero-based frame index. */
  readonly frame: number;
  /** Transfer syntax of the pixel data. */
  readonly transferSyntaxUID: string;

  /** The message names the file, the frame and the transfer syntax. */
  constructor(message: string, details: DicomDecodeErrorDetails) {
    const where = [details.fileName ? `file ${details.fileName}` : undefined, `frame ${details.frame}`]
      .filter(Boolean)
      .join(', ');
    super(`${where}: ${message} (transfer syntax ${details.transferSyntaxUID})`, { cause: details.cause });
    this.fileName = details.fileName;
    this.frame = details.frame;
    this.transferSyntaxUID = details.transferSyntaxUID;
  }
}

/** Thrown inside codec wrappers; {@link decodeFrame} adds the file, frame and syntax. */
export class CorruptFrame extends Error {}
