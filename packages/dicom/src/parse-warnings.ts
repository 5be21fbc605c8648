/**
 * Why a file that parsed was not quite what it claimed to be. Every kind is something a forgiving
 * reader (pydicom) accepts with a warning; the parse used what the bytes say.
 *
 * - `transfer-syntax-mismatch`: the file meta declares one encoding, the data set is encoded in
 *   another (the Python SDK 1.4.1 writes assembled series as Implicit VR Little Endian meta over an
 *   Explicit VR data set). `declared` is the meta's TransferSyntaxUID, `actual` what was parsed.
 * - `missing-transfer-syntax`: the file meta has no TransferSyntaxUID (0002,0010); `actual` is the
 *   encoding read from the data set.
 * - `missing-file-meta`: no file meta group; `actual` is the encoding read from the data set.
 * - `missing-preamble`: a file meta group without the 128-byte preamble and `DICM` before it.
 * - `meta-group-length`: FileMetaInformationGroupLength (0002,0000) disagrees with the group's
 *   real size; the group was read element by element up to the first non-0002 tag.
 * - `invalid-number-of-frames`: NumberOfFrames (0028,0008) is not an integer (`"1A"`); the frames
 *   are counted from the pixel data (whole native frames in its length, or the Basic Offset Table's
 *   entries) instead.
 * - `truncated-pixel-data`: the file ends inside its (native) PixelData; the element holds what
 *   the file has, and frames past the end cannot be read.
 * - `parser`: a note from the element readers (e.g. a sequence or item whose delimitation item is
 *   missing at the end of the file, so it was read up to the end), passed on as they said it.
 */
export type DicomParseWarningCode =
  | 'transfer-syntax-mismatch'
  | 'missing-transfer-syntax'
  | 'missing-file-meta'
  | 'missing-preamble'
  | 'meta-group-length'
  | 'invalid-number-of-frames'
  | 'truncated-pixel-data'
  | 'parser';

/** One anomaly found while parsing a file that nevertheless parsed. */
export interface DicomParseWarning {
  /** What kind of anomaly it is. */
  code: DicomParseWarningCode;
  /** Human-readable description naming the values involved. */
  message: string;
  /** Transfer syntax UID the file meta declares (`transfer-syntax-mismatch`). */
  declared?: string;
  /** Transfer syntax UID the data set was parsed with (mismatch and missing-syntax kinds). */
  actual?: string;
}
