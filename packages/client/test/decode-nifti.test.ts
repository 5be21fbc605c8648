import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decompress, isCompressed, readHeader, readImage } from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { decodeNifti } from '../src/decode';
import { DecodeError } from '../src/errors';
import { dataDir, requireData } from './helpers/data';

/** A little-endian NIfTI-1 file of 2x3x2 int16 voxels 0..11. */
function int16Nifti(bigEndian = false): Uint8Array {
  const le = !bigEndian;
  const bytes = new Uint8Array(352 + 24);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 348, le);
  [3, 2, 3, 2].forEach((d, i) => {
    v.setInt16(40 + 2 * i, d, le);
  });
  v.setInt16(70, 4, le);
  v.setInt16(72, 16, le);
  [1, 0.5, 0.75, 2].forEach((p, i) => {
    v.setFloat32(76 + 4 * i, p, le);
  });
  v.setFloat32(108, 352, le);
  v.setFloat32(112, 2, le);
  v.setFloat32(116, -1, le);
  bytes.set([0x6e, 0x2b, 0x31, 0], 344);
  for (let i = 0; i < 12; i++) v.setInt16(352 + 2 * i, i, le);
  return bytes;
}

describe('decodeNifti', () => {
  for (const bigEndian of [false, true]) {
    it(`decodes a ${bigEndian ? 'big' : 'little'}-endian int16 volume into native-endian voxels`, () => {
      const volume = decodeNifti(int16Nifti(bigEndian), 'test volume');
      expect(volume.shape).toEqual([2, 3, 2]);
      expect(volume.spacing).toEqual([0.5, 0.75, 2]);
      expect(volume.datatypeCode).toBe(4);
      expect([volume.scaleSlope, volume.scaleIntercept]).toEqual([2, -1]);
      expect(volume.data).toBeInstanceOf(Int16Array);
      expect([...volume.data]).toEqual(Array.from({ length: 12 }, (_, i) => i));
    });
  }

  it('names the file when the voxels are truncated', () => {
    const error = (() => {
      try {
        decodeNifti(int16Nifti().subarray(0, 360), 'resource r1');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toMatch(
      /resource r1.*truncated: 2x3x2 voxels need 24 bytes at offset 352/,
    );
  });

  it('rejects what is not a single-file NIfTI with a DecodeError', () => {
    expect(() => decodeNifti(new Uint8Array(400), 'x')).toThrow(DecodeError);
    const pair = int16Nifti();
    pair.set([0x6e, 0x69, 0x31], 344); // "ni1": the header of a .hdr/.img pair
    expect(() => decodeNifti(pair, 'x')).toThrow(/\.hdr\/\.img pair/);
    const unknownType = int16Nifti();
    new DataView(unknownType.buffer).setInt16(70, 1536, true);
    expect(() => decodeNifti(unknownType, 'x')).toThrow(/unsupported NIfTI datatype code 1536/);
  });
});

const shared = requireData();

describe.skipIf(!shared)('decodeNifti agrees with nifti-reader-js on ../shared/data/nifti', () => {
  const files = shared ? readdirSync(join(dataDir, 'nifti')).filter((f) => /\.(nii|nii\.gz)$/.test(f)) : [];
  for (const file of files) {
    it(file, () => {
      const bytes = new Uint8Array(readFileSync(join(dataDir, 'nifti', file)));
      const volume = decodeNifti(bytes, file);
      let buffer = bytes.slice().buffer;
      if (isCompressed(buffer)) buffer = decompress(buffer) as ArrayBuffer;
      const header = readHeader(buffer);
      expect(volume.shape).toEqual(header.dims.slice(1, header.dims[0] + 1));
      expect(volume.datatypeCode).toBe(header.datatypeCode);
      const theirs = new Uint8Array(readImage(header, buffer));
      const ours = new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength);
      expect(ours.byteLength).toBe(theirs.byteLength);
      if (header.littleEndian) expect(Buffer.compare(ours, theirs)).toBe(0);
    });
  }
});
