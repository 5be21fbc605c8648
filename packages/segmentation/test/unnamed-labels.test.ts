import { describe, expect, it } from 'vitest';
import { labelIdentifiers, MaskVolume, maskFromArray, readMask, splitLabels } from '../src/index';
import { writeNifti } from './helpers';

/** A volume of 2×2 frames given frame by frame (each frame row-major). */
function frames(...values: number[][]): MaskVolume {
  return new MaskVolume(2, 2, values.length, Uint8Array.from(values.flat()));
}

const named = (volume: MaskVolume, names?: Parameters<typeof splitLabels>[1]) =>
  [...splitLabels(volume, names)].map((m) => [m.sourceFrame, m.value, m.identifier]);

describe('unnamed masks are named over the whole mask, not per frame', () => {
  it('keeps labels apart across frames: label 1 on frame 0, label 2 on frame 1', () => {
    // The Python SDK names each of these frames `seg`, so the platform cannot tell them apart.
    expect(named(frames([1, 1, 0, 0], [0, 2, 2, 0]))).toEqual([
      [0, 1, 'seg_1'],
      [1, 2, 'seg_2'],
    ]);
  });

  it('gives every frame the same name for the same label, alone or with others', () => {
    expect(named(frames([1, 0, 0, 0], [1, 2, 0, 0], [0, 0, 0, 2], [0, 0, 0, 0]))).toEqual([
      [0, 1, 'seg_1'],
      [1, 1, 'seg_1'],
      [1, 2, 'seg_2'],
      [2, 2, 'seg_2'],
    ]);
  });

  it('calls a mask holding one label value `seg` on every frame', () => {
    expect(named(frames([3, 3, 0, 0], [0, 0, 0, 0], [0, 3, 3, 3]))).toEqual([
      [0, 3, 'seg'],
      [2, 3, 'seg'],
    ]);
    // Also with empty frames kept: the placeholder is `seg` as before.
    expect(named(frames([0, 0, 0, 0], [3, 0, 0, 0]), { discardEmpty: false })).toEqual([
      [0, 0, 'seg'],
      [1, 3, 'seg'],
    ]);
  });

  it('leaves a one-frame mask as the Python SDK names it', () => {
    expect(named(maskFromArray([1, 0, 2, 1], [2, 2]))).toEqual([
      [0, 1, 'seg_1'],
      [0, 2, 'seg_2'],
    ]);
    expect(named(maskFromArray([0, 4, 4, 0], [2, 2]))).toEqual([[0, 4, 'seg']]);
    expect(labelIdentifiers([1, 2])).toEqual(['seg_1', 'seg_2']);
    expect(labelIdentifiers([4])).toEqual(['seg']);
  });

  it('names a 3-D NIfTI mask (liver on some slices, tumour on others) with distinct labels', () => {
    // 2×1 slices, k = 0..3: liver (1) on slices 0 and 1, tumour (2) on slices 2 and 3.
    const nifti = writeNifti({ dims: [2, 1, 4], type: 'uint8', values: [1, 1, 1, 0, 0, 2, 2, 2] });
    const volume = readMask(nifti);
    expect([...volume.labels()]).toEqual([1, 2]);
    expect(named(volume)).toEqual([
      [0, 1, 'seg_1'],
      [1, 1, 'seg_1'],
      [2, 2, 'seg_2'],
      [3, 2, 'seg_2'],
    ]);
    // The identifiers are those of the whole mask's labels.
    expect(labelIdentifiers([...volume.labels()])).toEqual(['seg_1', 'seg_2']);
  });

  it('keeps the per-frame rule for a given name, as the Python SDK (spec §2.1)', () => {
    expect(named(frames([1, 1, 0, 0], [0, 2, 2, 0]), { names: 'Bone' })).toEqual([
      [0, 1, 'Bone'],
      [1, 2, 'Bone'],
    ]);
    expect(named(frames([1, 0, 0, 0], [0, 2, 0, 0]), { names: { default: 'Organ' } })).toEqual([
      [0, 1, 'Organ_1'],
      [1, 2, 'Organ_2'],
    ]);
  });
});

describe('unnamedAlongside: masks of one resource named together', () => {
  it('names a one-label mask by the labels of its siblings', () => {
    const alone = frames([0, 2, 0, 0]);
    expect(named(alone)).toEqual([[0, 2, 'seg']]);
    expect(named(alone, { unnamedAlongside: [1, 2] })).toEqual([[0, 2, 'seg_2']]);
    // The background is no label; a value the mask itself holds changes nothing.
    expect(named(alone, { unnamedAlongside: [0, 2] })).toEqual([[0, 2, 'seg']]);
  });

  it('is ignored when names are given', () => {
    expect(named(frames([0, 2, 0, 0]), { names: 'Bone', unnamedAlongside: [1, 2] })).toEqual([
      [0, 2, 'Bone'],
    ]);
  });
});
