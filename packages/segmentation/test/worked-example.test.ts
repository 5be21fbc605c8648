import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodeMaskPng, type LabelMask, readMask, splitLabels } from '../src/index';
import { writeNifti } from './helpers';

// Spec §4.3: a (I=4, J=3, K=2) uint8 NIfTI; voxel (i,j,k) at byte i + 4j + 12k.
const RAW = [1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0];
const NII_GZ = writeNifti({ dims: [4, 3, 2], type: 'uint8', values: RAW, gzip: true });

/** The PNG as the server would see it: rows of the R channel, after checking G and B equal R. */
function pngRows(mask: LabelMask): number[][] {
  const img = decode(encodeMaskPng(mask.mask));
  expect(img.channels).toBe(3);
  expect(img.depth).toBe(8);
  const rows: number[][] = [];
  for (let y = 0; y < img.height; y++) {
    const row: number[] = [];
    for (let x = 0; x < img.width; x++) {
      const p = (y * img.width + x) * 3;
      expect(img.data[p + 1]).toBe(img.data[p]);
      expect(img.data[p + 2]).toBe(img.data[p]);
      row.push(img.data[p]);
    }
    rows.push(row);
  }
  return rows;
}

describe('spec §4.3 worked example', () => {
  it('reads 3 rows x 4 columns per frame by default (NIfTI axes swapped)', () => {
    const volume = readMask(NII_GZ, { fileName: 'seg.nii.gz' });
    expect([volume.width, volume.height, volume.frames]).toEqual([4, 3, 2]);
    expect(Array.from(volume.frame(0).data)).toEqual([1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2]);
    expect(Array.from(volume.frame(1).data)).toEqual([0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0]);
    expect([...volume.labels()]).toEqual([1, 2]);
  });

  it("sends Femur, Tibia for frame 0 and Tibia for frame 1 with {1:'Femur', 2:'Tibia'}", () => {
    const items = [...splitLabels(readMask(NII_GZ), { names: { 1: 'Femur', 2: 'Tibia' } })];
    expect(items.map((m) => [m.frame, m.identifier, m.value])).toEqual([
      [0, 'Femur', 1],
      [0, 'Tibia', 2],
      [1, 'Tibia', 2],
    ]);
    expect(pngRows(items[0])).toEqual([
      [255, 255, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(pngRows(items[1])).toEqual([
      [0, 0, 0, 0],
      [0, 0, 255, 0],
      [0, 0, 0, 255],
    ]);
    expect(pngRows(items[2])).toEqual([
      [0, 0, 0, 0],
      [0, 255, 255, 0],
      [0, 0, 0, 0],
    ]);
  });

  it("name 'Bone' gives Bone_1, Bone_2 in frame 0 and bare Bone in frame 1", () => {
    const items = [...splitLabels(readMask(NII_GZ), { names: 'Bone' })];
    expect(items.map((m) => [m.frame, m.identifier])).toEqual([
      [0, 'Bone_1'],
      [0, 'Bone_2'],
      [1, 'Bone'],
    ]);
  });

  it("{default:'Bone', 2:'Tibia'} with transpose gives 4 rows x 3 columns", () => {
    const volume = readMask(NII_GZ, { transpose: true });
    expect([volume.width, volume.height]).toEqual([3, 4]);
    const items = [...splitLabels(volume, { names: { default: 'Bone', 2: 'Tibia' } })];
    expect(items.map((m) => [m.frame, m.identifier])).toEqual([
      [0, 'Bone_1'],
      [0, 'Tibia'],
      [1, 'Tibia'],
    ]);
    expect(pngRows(items[0])).toEqual([
      [255, 0, 0],
      [255, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(pngRows(items[1])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ]);
  });

  it('frameIndex [5, 9] relabels the target frames', () => {
    const items = [
      ...splitLabels(readMask(NII_GZ), { names: { 1: 'Femur', 2: 'Tibia' }, frameIndex: [5, 9] }),
    ];
    expect(items.map((m) => [m.frame, m.sourceFrame, m.identifier])).toEqual([
      [5, 0, 'Femur'],
      [5, 0, 'Tibia'],
      [9, 1, 'Tibia'],
    ]);
  });
});
