import * as nifti from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { MaskShapeError, readMask, readNiftiHeader, writeNifti } from '../src/index';

const AFFINE = [
  [-0.5, 0, 0, 10],
  [0, 0.8, 0, -20],
  [0, 0, 2, 30],
  [0, 0, 0, 1],
];

describe('writeNifti', () => {
  it('writes voxels, type, shape and affine that our reader and nifti-reader-js read back', () => {
    const data = new Uint16Array(4 * 3 * 2).map((_, i) => (i * 37) % 5);
    const nii = writeNifti({ data, shape: [4, 3, 2], affine: AFFINE });
    const header = readNiftiHeader(nii)!;
    expect(header).toMatchObject({
      version: 1,
      singleFile: true,
      dims: [4, 3, 2],
      datatype: 512,
      bitpix: 16,
    });
    expect(header.srow.map((row) => row.map((v) => Number(v.toFixed(6))))).toEqual(AFFINE.slice(0, 3));
    expect(header.pixdim.slice(1, 4).map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.8, 2]);
    const theirs = nifti.readHeader(nii.buffer as ArrayBuffer) as nifti.NIFTI1;
    expect(theirs.dims.slice(0, 4)).toEqual([3, 4, 3, 2]);
    expect(theirs.affine.map((row) => row.map((v) => Number(v.toFixed(6))))).toEqual(AFFINE);
    const volume = readMask(nii, { fileName: 'v.nii' });
    expect([volume.width, volume.height, volume.frames]).toEqual([4, 3, 2]);
    // x fastest in both: the volume's frames are the z slices, row-major.
    expect(Array.from(volume.data)).toEqual(Array.from(data));
  });

  it('keeps each typed array type and defaults to an identity affine', () => {
    const cases = [
      [new Uint8Array([0, 1]), 2],
      [new Int8Array([0, 1]), 256],
      [new Int16Array([0, 1]), 4],
      [new Int32Array([0, 1]), 8],
      [new Uint32Array([0, 1]), 768],
      [new Float32Array([0, 1]), 16],
      [new Float64Array([0, 1]), 64],
    ] as const;
    for (const [data, code] of cases) {
      const header = readNiftiHeader(writeNifti({ data, shape: [2, 1] }))!;
      expect([header.datatype, header.dims]).toEqual([code, [2, 1, 1]]);
      expect(header.srow).toEqual([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
      ]);
    }
  });

  it('rejects a wrong shape, voxel count, affine or array type with a MaskShapeError naming the field', () => {
    const data = new Uint8Array(6);
    const fails = (volume: Parameters<typeof writeNifti>[0], field: string, message: RegExp) => {
      let error: unknown;
      try {
        writeNifti(volume);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MaskShapeError);
      expect((error as MaskShapeError).message).toMatch(message);
      expect((error as MaskShapeError).field).toBe(field);
    };
    fails({ data, shape: [6] }, 'shape', /shape must be \[nx, ny\]/);
    fails({ data, shape: [2, 2] }, 'data', /data has 6 voxels but shape \[2,2\] needs 4/);
    fails({ data, shape: [3, 2], affine: [[1, 0, 0]] }, 'affine', /affine must be a 4 × 4 matrix/);
    fails({ data: [1, 2] as never, shape: [2, 1] }, 'data', /data must be a Uint8/);
  });
});
