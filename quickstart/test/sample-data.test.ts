import { isDicom, parseDicom } from '@datamint/dicom';
import { readMask } from '@datamint/segmentation';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY, makeCtPhantom } from '../src/sample-data/ct-phantom';
import { writeNifti1 } from '../src/sample-data/nifti';
import { writePart10 } from '../src/sample-data/part10';

describe('synthetic CT phantom', () => {
  const phantom = makeCtPhantom({ size: 32, slices: 6 });

  it('writes Part 10 slices that parse back with geometry, identity and pixels', () => {
    expect(phantom.slices).toHaveLength(6);
    const uids = new Set<string>();
    phantom.slices.forEach((slice, k) => {
      expect(isDicom(slice.bytes)).toBe(true);
      const ds = parseDicom(slice.bytes, { fileName: slice.name });
      expect(ds.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
      expect(ds.string('PatientName')).toBe(DEFAULT_IDENTITY.patientName);
      expect(ds.string('PatientID')).toBe(DEFAULT_IDENTITY.patientId);
      expect(ds.string('PatientBirthDate')).toBe(DEFAULT_IDENTITY.patientBirthDate);
      expect(ds.string('SeriesInstanceUID')).toBe(phantom.seriesInstanceUid);
      expect(ds.number('InstanceNumber')).toBe(k + 1);
      expect(ds.numbers('ImagePositionPatient')![2]).toBeCloseTo(phantom.origin[2] + k * 2.5, 6);
      expect([ds.number('Rows'), ds.number('Columns')]).toEqual([32, 32]);
      expect(ds.meta?.string('MediaStorageSOPInstanceUID')).toBe(ds.string('SOPInstanceUID'));
      uids.add(ds.string('SOPInstanceUID')!);
      const pixels = ds.value('PixelData')!;
      expect(pixels.length).toBe(32 * 32 * 2);
      const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
      expect(view.getInt16(0, true)).toBe(-1000);
      // Every bone voxel of the mask is 700 HU in the image.
      for (let i = 0; i < 32 * 32; i++) {
        if (phantom.mask[k * 32 * 32 + i] === 1) expect(view.getInt16(i * 2, true)).toBe(700);
      }
    });
    expect(uids.size).toBe(6);
  });

  it('labels bone in every slice and the lesion in the middle slices only', () => {
    const mask = readMask(phantom.maskNifti, { fileName: 'labels.nii' });
    expect([mask.width, mask.height, mask.frames]).toEqual([32, 32, 6]);
    expect(Array.from(mask.data)).toEqual(Array.from(phantom.mask));
    expect(phantom.lesionFrames).toEqual([1, 2, 3, 4]);
    for (let k = 0; k < 6; k++) {
      const frame = phantom.mask.subarray(k * 1024, (k + 1) * 1024);
      expect(frame.includes(1)).toBe(true);
      expect(frame.includes(2)).toBe(phantom.lesionFrames.includes(k));
    }
  });

  it('refuses duplicate attributes', () => {
    expect(() =>
      writePart10(
        [
          { tag: 0x00100010, value: 'A' },
          { tag: 0x00100010, value: 'B' },
        ],
        { sopClassUid: '1.2', sopInstanceUid: '1.3' },
      ),
    ).toThrow(/00100010 is given twice/);
  });
});

describe('writeNifti1', () => {
  it('writes a label volume that @datamint/segmentation reads back voxel for voxel', () => {
    const data = new Uint8Array(4 * 3 * 2).map((_, i) => i % 3);
    const bytes = writeNifti1({ dims: [4, 3, 2], data, spacing: [0.5, 0.5, 2] });
    expect(new DataView(bytes.buffer).getInt32(0, true)).toBe(348);
    expect(new TextDecoder().decode(bytes.subarray(344, 347))).toBe('n+1');
    const mask = readMask(bytes, { fileName: 'x.nii' });
    expect([mask.width, mask.height, mask.frames]).toEqual([4, 3, 2]);
    expect(Array.from(mask.data)).toEqual(Array.from(data));
  });

  it('rejects inconsistent sizes', () => {
    expect(() => writeNifti1({ dims: [2, 2, 2], data: new Uint8Array(7) })).toThrow(/7 voxels/);
  });
});
