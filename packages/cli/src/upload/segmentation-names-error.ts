import { UsageError } from '../errors';

/** A `--segmentation-names` file that cannot be read or is not in a known format; names the file (and line). */
export class SegmentationNamesError extends UsageError {
  override name = 'SegmentationNamesError';
  readonly file: string;
  constructor(file: string, message: string) {
    super(`--segmentation-names ${file}: ${message}`, '--segmentation-names');
    this.file = file;
  }
}
