import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { readHeader } from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { readNiftiHeader } from '../src/index';
import { DATA_DIR, hasSharedData } from './helpers';

/** A NIfTI-1 header of the given byte order, with distinct values in every field the reader returns. */
function nifti1(littleEndian: boolean, magic = 'n+1'): Uint8Array {
  const bytes = new Uint8Array(352);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 348, littleEndian);
  [4, 5, 6, 7, 2].forEach((d, i) => {
    v.setInt16(40 + 2 * i, d, littleEndian);
  });
  v.setInt16(70, 512, littleEndian);
  v.setInt16(72, 16, littleEndian);
  [-1, 0.5, 0.75, 2.5, 3, 1, 1, 1].forEach((p, i) => {
    v.setFloat32(76 + 4 * i, p, littleEndian);
  });
  v.setFloat32(108, 352, littleEndian);
  v.setFloat32(112, 2, littleEndian);
  v.setFloat32(116, -10, littleEndian);
  v.setInt16(252, 1, littleEndian);
  v.setInt16(254, 2, littleEndian);
  [0.25, 0.5, 0.125, 10, 20, 30].forEach((q, i) => {
    v.setFloat32(256 + 4 * i, q, littleEndian);
  });
  for (let i = 0; i < 12; i++) v.setFloat32(280 + 4 * i, i + 1, littleEndian);
  bytes.set(
    [...magic].map((c) => c.charCodeAt(0)),
    344,
  );
  return bytes;
}

/** The same header as NIfTI-2 (540 bytes, 64-bit fields). */
function nifti2(littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(544);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 540, littleEndian);
  bytes.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
  v.setInt16(12, 512, littleEndian);
  v.setInt16(14, 16, littleEndian);
  [4, 5, 6, 7, 2].forEach((d, i) => {
    v.setBigInt64(16 + 8 * i, BigInt(d), littleEndian);
  });
  [-1, 0.5, 0.75, 2.5, 3, 1, 1, 1].forEach((p, i) => {
    v.setFloat64(104 + 8 * i, p, littleEndian);
  });
  v.setBigInt64(168, 544n, littleEndian);
  v.setFloat64(176, 2, littleEndian);
  v.setFloat64(184, -10, littleEndian);
  v.setInt32(344, 1, littleEndian);
  v.setInt32(348, 2, littleEndian);
  [0.25, 0.5, 0.125, 10, 20, 30].forEach((q, i) => {
    v.setFloat64(352 + 8 * i, q, littleEndian);
  });
  for (let i = 0; i < 12; i++) v.setFloat64(400 + 8 * i, i + 1, littleEndian);
  return bytes;
}

const expected = {
  rank: 4,
  dims: [5, 6, 7, 2],
  datatype: 512,
  bitpix: 16,
  slope: 2,
  inter: -10,
  pixdim: [-1, 0.5, 0.75, 2.5, 3, 1, 1, 1],
  qformCode: 1,
  sformCode: 2,
  quaternion: [0.25, 0.5, 0.125],
  qoffset: [10, 20, 30],
  srow: [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ],
};

describe('readNiftiHeader', () => {
  for (const littleEndian of [true, false]) {
    const order = littleEndian ? 'little-endian' : 'big-endian';
    it(`reads every field of a ${order} NIfTI-1 header`, () => {
      expect(readNiftiHeader(nifti1(littleEndian))).toEqual({
        ...expected,
        version: 1,
        littleEndian,
        singleFile: true,
        magic: 'n+1',
        voxOffset: 352,
      });
    });
    it(`reads every field of a ${order} NIfTI-2 header`, () => {
      expect(readNiftiHeader(nifti2(littleEndian))).toEqual({
        ...expected,
        version: 2,
        littleEndian,
        singleFile: true,
        magic: 'n+2',
        voxOffset: 544,
      });
    });
  }

  it('tells the header of a .hdr/.img pair from a single file', () => {
    expect(readNiftiHeader(nifti1(true, 'ni1'))).toMatchObject({ singleFile: false, magic: 'ni1' });
  });

  it('returns the stored rank and no dims when dim[0] is out of 1..7', () => {
    const bytes = nifti1(true);
    new DataView(bytes.buffer).setInt16(40, 9, true);
    expect(readNiftiHeader(bytes)).toMatchObject({ rank: 9, dims: [] });
  });

  it('returns undefined for what is not a NIfTI header', () => {
    expect(readNiftiHeader(new Uint8Array(0))).toBeUndefined();
    expect(readNiftiHeader(nifti1(true).subarray(0, 347))).toBeUndefined();
    expect(readNiftiHeader(nifti1(true, 'xyz'))).toBeUndefined();
    const wrongSize = nifti1(true);
    new DataView(wrongSize.buffer).setInt32(0, 349, true);
    expect(readNiftiHeader(wrongSize)).toBeUndefined();
    // A NIfTI-2 size with too few bytes for its header.
    expect(readNiftiHeader(nifti2(true).subarray(0, 400))).toBeUndefined();
  });
});

const shared = hasSharedData();

describe.skipIf(!shared)('readNiftiHeader agrees with nifti-reader-js on ../shared/data/nifti', () => {
  const files = shared
    ? readdirSync(join(DATA_DIR, 'nifti')).filter((f) => /\.(nii|nii\.gz|hdr\.gz)$/.test(f))
    : [];
  for (const file of files) {
    it(file, () => {
      let bytes = new Uint8Array(readFileSync(join(DATA_DIR, 'nifti', file)));
      if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
      const ours = readNiftiHeader(bytes);
      const theirs = readHeader(bytes.slice(0, ours?.version === 2 ? 540 : 348).buffer, true);
      expect(ours).toBeDefined();
      if (!ours) return;
      expect(ours.rank).toBe(theirs.dims[0]);
      expect(ours.dims).toEqual(theirs.dims.slice(1, ours.rank + 1));
      expect(ours.datatype).toBe(theirs.datatypeCode);
      expect(ours.bitpix).toBe(theirs.numBitsPerVoxel);
      expect(ours.voxOffset).toBe(theirs.vox_offset);
      expect(ours.littleEndian).toBe(theirs.littleEndian);
      expect(ours.pixdim).toEqual(theirs.pixDims);
      expect(Object.is(ours.slope, theirs.scl_slope) || ours.slope === theirs.scl_slope).toBe(true);
      expect(ours.qformCode).toBe(theirs.qform_code);
      expect(ours.sformCode).toBe(theirs.sform_code);
      expect(ours.quaternion).toEqual([theirs.quatern_b, theirs.quatern_c, theirs.quatern_d]);
      expect(ours.qoffset).toEqual([theirs.qoffset_x, theirs.qoffset_y, theirs.qoffset_z]);
      // nifti-reader-js's affine is the sform only when that is the code it prefers.
      if (ours.sformCode > 0 && ours.sformCode >= ours.qformCode) {
        expect(ours.srow.flat()).toEqual(theirs.affine.slice(0, 3).flat());
      }
      expect(ours.singleFile).toBe(!file.endsWith('.hdr.gz'));
    });
  }
});
