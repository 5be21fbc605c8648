/**
 * Broken files that pydicom reads, failing only when asked for their pixels: we read them too, with
 * a warning, and fail as late as pydicom does.
 */
import { describe, expect, it } from 'vitest';
import {
  createAnonymizer,
  DicomParseError,
  decodeFrame,
  parseDicom,
  readSlice,
  sliceHeaderParser,
} from '../src/index';
import { read, requireData } from './data';

/** `file` with its NumberOfFrames value overwritten by `text` (the same length, so nothing moves). */
function withNumberOfFrames(file: string, text: string): Uint8Array {
  const bytes = read(file).slice();
  const el = parseDicom(bytes).rawDataSet.elements.x00280008!;
  expect(el.length).toBe(text.length);
  bytes.set(new TextEncoder().encode(text), el.dataOffset);
  return bytes;
}

describe.skipIf(!requireData())('an encapsulated file whose NumberOfFrames is not an integer', () => {
  it("counts the Basic Offset Table's entries", () => {
    const parsed = parseDicom(withNumberOfFrames('multiframe/CT0012.not_fragmented_bot_rle.dcm', '9A'));
    expect(parsed.warnings.map((w) => w.code)).toEqual(['invalid-number-of-frames']);
    expect(parsed.pixelData?.basicOffsetTable).toHaveLength(2);
    expect(parsed.numberOfFrames).toBe(2);
  });

  it('counts one frame when the Basic Offset Table is empty', () => {
    // 8 frames in 44 fragments: without offsets, which fragments make a frame is unknown.
    const parsed = parseDicom(
      withNumberOfFrames('multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm', '9A'),
    );
    expect(parsed.warnings.map((w) => w.code)).toEqual(['invalid-number-of-frames']);
    expect(parsed.numberOfFrames).toBe(1);
  });
});

describe.skipIf(!requireData())('NumberOfFrames that is not an integer (badVR.dcm: "1A")', () => {
  const bytes = () => read('broken/badVR.dcm');

  it('parses with a warning and counts the frames the pixel data holds', () => {
    const parsed = parseDicom(bytes(), { fileName: 'badVR.dcm' });
    expect(parsed.warnings).toEqual([
      {
        code: 'invalid-number-of-frames',
        message: 'NumberOfFrames (0028,0008) is "1A", not an integer: frames are counted from the pixel data',
      },
    ]);
    // 10 x 10 pixels of 32 bits in 6000 bytes: 15 frames.
    expect(parsed.pixelDataLength).toBe(6000);
    expect(parsed.numberOfFrames).toBe(15);
    expect(parsed.frame(14)).toHaveLength(400);
    expect(() => parsed.frame(15)).toThrow(/frame 15 does not exist/);
    expect(parsed.string('NumberOfFrames')).toBe('1A');
  });

  it('counts the same from a header-only parse and the slice header scanner', () => {
    expect(parseDicom(bytes(), { headerOnly: true }).numberOfFrames).toBe(15);
    const header = sliceHeaderParser()(bytes(), 'badVR.dcm');
    expect(header.numberOfFrames).toBe(15);
    expect(header.warnings.map((w) => w.code)).toEqual(['invalid-number-of-frames']);
  });

  it('decodes every frame', async () => {
    const parsed = parseDicom(bytes());
    for (let i = 0; i < 15; i++) {
      const frame = await decodeFrame(parsed, i);
      expect(frame.pixels.length).toBe(100);
    }
  });

  it.each(['basic', 'datamint-sdk'] as const)(
    'anonymizes with the %s profile, keeping the value',
    (profile) => {
      const out = createAnonymizer({ profile }).anonymize(bytes(), { fileName: 'badVR.dcm' });
      const again = parseDicom(out);
      expect(again.string('NumberOfFrames')).toBe('1A');
      expect(again.numberOfFrames).toBe(15);
      expect(again.frame(3)).toEqual(parseDicom(bytes()).frame(3));
      expect(again.string('PatientID')).not.toBe(parseDicom(bytes()).string('PatientID'));
    },
  );
});

describe.skipIf(!requireData())('pixel data shorter than declared (MR_truncated.dcm)', () => {
  const bytes = () => read('broken/MR_truncated.dcm');

  it('parses with a warning; the header reads, the frame does not', async () => {
    const parsed = parseDicom(bytes(), { fileName: 'MR_truncated.dcm' });
    expect(parsed.warnings).toEqual([
      {
        code: 'truncated-pixel-data',
        message:
          'PixelData (7FE0,0010) declares 8192 bytes but the file ends after 8130: read up to the end (its frames cannot all be read)',
      },
    ]);
    expect(parsed.pixelDataLength).toBe(8130);
    expect(parsed.number('Rows')).toBe(64);
    expect(parsed.string('PatientName')).toBe(parseDicom(read('ts/MR_small.dcm')).string('PatientName'));
    expect(() => parsed.frame(0)).toThrow(DicomParseError);
    expect(() => parsed.frame(0)).toThrow(
      /MR_truncated\.dcm.*frame 0 \(65536 bits\) extends past the pixel data/,
    );
    await expect(decodeFrame(parsed, 0)).rejects.toThrow(/extends past the pixel data/);
  });

  it('is not a slice to assemble: the size gives the truncation away', () => {
    const header = sliceHeaderParser()(bytes(), 'MR_truncated.dcm');
    const reading = readSlice({ name: 'MR_truncated.dcm', bytes: bytes() }, header, bytes().length);
    expect(reading.outcome).toEqual({ fail: 'PixelData has 8130 bytes, one frame needs 8192' });
  });

  it.each(['basic', 'datamint-sdk'] as const)(
    'anonymizes with the %s profile, keeping the pixel data as the file has it',
    (profile) => {
      const out = createAnonymizer({ profile }).anonymize(bytes(), { fileName: 'MR_truncated.dcm' });
      const again = parseDicom(out);
      expect(again.warnings.map((w) => w.code)).toEqual(['truncated-pixel-data']);
      expect(again.pixelDataLength).toBe(8130);
      const original = parseDicom(bytes());
      expect(out.subarray(out.length - 8130)).toEqual(original.bytes.subarray(original.bytes.length - 8130));
      expect(again.string('PatientName')).not.toBe(original.string('PatientName'));
    },
  );

  it('still refuses other values that run past the end of the file', () => {
    // The same cut one element earlier: a header value, not the pixel data.
    const whole = read('ts/MR_small.dcm');
    const parsed = parseDicom(whole);
    const cutAt = parsed.pixelDataOffset! - 20;
    expect(() => parseDicom(whole.subarray(0, cutAt), { fileName: 'cut.dcm' })).toThrow(DicomParseError);
  });
});
