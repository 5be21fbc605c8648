import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isAnalyzeHeader, pairHeaderToSingleFile, readNiftiHeader } from '../src/index';
import { readNifti } from '../src/read-nifti';
import { DATA_DIR, hasSharedData, type NiftiSpec, writeNifti, writeNiftiPair } from './helpers';

function joined(start: Uint8Array, voxels: Uint8Array): Uint8Array {
  const out = new Uint8Array(start.length + voxels.length);
  out.set(start);
  out.set(voxels, start.length);
  return out;
}

const cases = [
  { version: 1, littleEndian: true, start: 352 },
  { version: 1, littleEndian: false, start: 352 },
  { version: 2, littleEndian: true, start: 544 },
  { version: 2, littleEndian: false, start: 544 },
] as const;

describe('pairHeaderToSingleFile', () => {
  it.each(cases)('makes a NIfTI-$version pair (little endian: $littleEndian) a single file', (c) => {
    const spec: NiftiSpec = {
      version: c.version,
      littleEndian: c.littleEndian,
      dims: [3, 2, 2],
      type: 'int16',
      values: [1, -2, 3, 400, 5, 6, 7, 8, 9, 10, 11, -1200],
      slope: 2,
      inter: 1,
    };
    const { hdr, img } = writeNiftiPair(spec);
    const start = pairHeaderToSingleFile(hdr)!;
    expect(start.length).toBe(c.start);
    expect([...start.subarray(start.length - 4)]).toEqual([0, 0, 0, 0]);
    const pairHeader = readNiftiHeader(hdr)!;
    // Every field as the pair had it, but the magic and where the voxels start.
    expect(readNiftiHeader(start)).toEqual({
      ...pairHeader,
      singleFile: true,
      magic: `n+${c.version}`,
      voxOffset: c.start,
    });
    const nii = joined(start, img);
    // The bytes a writer of single files makes from the same volume.
    expect(nii).toEqual(writeNifti(spec));
    expect(readNifti(nii)).toEqual(readNifti(hdr, { image: img }));
  });

  it('keeps the rest of the magic field (NIfTI-2 has its line-ending check bytes there)', () => {
    const { hdr } = writeNiftiPair({ version: 2, dims: [1, 1], type: 'uint8', values: [0] });
    expect([...pairHeaderToSingleFile(hdr)!.subarray(4, 12)]).toEqual([
      0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
  });

  it('leaves out extensions the .hdr has after its fixed header', () => {
    const { hdr } = writeNiftiPair({ dims: [1, 1], type: 'uint8', values: [0] });
    const withExtension = joined(hdr, new Uint8Array([1, 0, 0, 0, 16, 0, 0, 0, 4, 0, 0, 0, 9, 9, 9, 9]));
    expect(pairHeaderToSingleFile(withExtension)).toEqual(pairHeaderToSingleFile(hdr));
  });

  it.each([
    ['a single file', writeNifti({ dims: [1, 1], type: 'uint8', values: [0] })],
    ['an Analyze 7.5 header', analyze(true)],
    ['too few bytes', writeNiftiPair({ dims: [1, 1], type: 'uint8', values: [0] }).hdr.subarray(0, 300)],
    ['nothing', new Uint8Array(0)],
  ])('is undefined for %s', (_, bytes) => {
    expect(pairHeaderToSingleFile(bytes)).toBeUndefined();
  });
});

/** A 348-byte header without NIfTI's magic, as Analyze 7.5 writes it. */
function analyze(littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(348);
  new DataView(bytes.buffer).setInt32(0, 348, littleEndian);
  return bytes;
}

describe('isAnalyzeHeader', () => {
  it.each([
    ['an Analyze 7.5 header, little endian', analyze(true), true],
    ['an Analyze 7.5 header, big endian', analyze(false), true],
    ['a NIfTI pair header', writeNiftiPair({ dims: [1, 1], type: 'uint8', values: [0] }).hdr, false],
    ['a single-file NIfTI', writeNifti({ dims: [1, 1], type: 'uint8', values: [0] }), false],
    ['a short header', analyze(true).subarray(0, 347), false],
    ['text', new TextEncoder().encode('#?RADIANCE\n'.repeat(40)), false],
  ])('%s: %s', (_, bytes, expected) => {
    expect(isAnalyzeHeader(bytes)).toBe(expected);
  });
});

describe.skipIf(!hasSharedData())('pairHeaderToSingleFile on a real pair', () => {
  it('joins air.hdr.gz and air.img.gz into a .nii with the same voxels', () => {
    const hdr = gunzipSync(readFileSync(join(DATA_DIR, 'nifti/air.hdr.gz')));
    const img = gunzipSync(readFileSync(join(DATA_DIR, 'nifti/air.img.gz')));
    const nii = joined(pairHeaderToSingleFile(hdr)!, img);
    expect(readNiftiHeader(nii)).toMatchObject({ singleFile: true, voxOffset: 352, dims: [79, 67, 64] });
    const [ours, theirs] = [readNifti(nii), readNifti(hdr, { image: img })];
    expect(ours.dims).toEqual(theirs.dims);
    // Compared as bytes: a deep equality of 338,752 floats takes seconds.
    const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    expect(ours.values).toBeInstanceOf(Float32Array);
    expect(bytes(ours.values as Float32Array).equals(bytes(theirs.values as Float32Array))).toBe(true);
  });
});
