import { describe, expect, it } from 'vitest';
import {
  labelIdentifiers,
  MaskNameError,
  MaskShapeError,
  MaskVolume,
  maskFromArray,
  readMask,
  splitLabels,
} from '../src/index';
import { prng, writeNifti } from './helpers';

/** A (H=2, W=2, F=3) volume: frame 0 has labels 1 and 2, frame 1 is empty, frame 2 has only 2. */
function volume() {
  const frames = [
    [1, 0, 2, 2],
    [0, 0, 0, 0],
    [0, 2, 0, 0],
  ];
  const data: number[] = [];
  for (let p = 0; p < 4; p++) for (let f = 0; f < 3; f++) data.push(frames[f][p]);
  return maskFromArray(data, [2, 2, 3]);
}

describe('labelIdentifiers (spec §2.1)', () => {
  it('uses seg by default, a bare name for one label and name_value for several', () => {
    expect(labelIdentifiers([3])).toEqual(['seg']);
    expect(labelIdentifiers([1, 2])).toEqual(['seg_1', 'seg_2']);
    expect(labelIdentifiers([2], 'Bone')).toEqual(['Bone']);
    expect(labelIdentifiers([1, 2], 'Bone')).toEqual(['Bone_1', 'Bone_2']);
  });

  it('maps values through a Map or a record with integer keys, falling back to default_value', () => {
    expect(
      labelIdentifiers(
        [1, 2],
        new Map<number | 'default', string>([
          [1, 'Femur'],
          ['default', 'Bone'],
        ]),
      ),
    ).toEqual(['Femur', 'Bone_2']);
    expect(labelIdentifiers([1, 2], { '1': 'Femur', 2: 'Tibia' })).toEqual(['Femur', 'Tibia']);
    expect(labelIdentifiers([7], { default: 'Organ' })).toEqual(['Organ_7']);
  });

  it('raises MaskNameError for a missing name, duplicates and bad keys', () => {
    expect(() => labelIdentifiers([1, 3], { 1: 'Femur' })).toThrow(/label 3 has no entry in names/);
    expect(() => labelIdentifiers([1, 2], { 1: 'Bone', 2: 'Bone' })).toThrow(
      /labels 1 and 2 both get the identifier "Bone"/,
    );
    expect(() => labelIdentifiers([1], { x1: 'Bone' })).toThrow(MaskNameError);
    expect(() => labelIdentifiers([1], { '01': 'Bone' })).toThrow(/names key "01"/);
    expect(() => labelIdentifiers([1], '')).toThrow(MaskNameError);
  });
});

describe('splitLabels', () => {
  it('yields one 0/1 mask per frame and label, in frame then label order, skipping empty frames', () => {
    const items = [...splitLabels(volume(), { names: 'Bone' })];
    expect(items.map((m) => [m.frame, m.sourceFrame, m.identifier, m.value])).toEqual([
      [0, 0, 'Bone_1', 1],
      [0, 0, 'Bone_2', 2],
      [2, 2, 'Bone', 2],
    ]);
    expect(Array.from(items[0].mask.data)).toEqual([1, 0, 0, 0]);
    expect(Array.from(items[1].mask.data)).toEqual([0, 0, 1, 1]);
    expect(Array.from(items[2].mask.data)).toEqual([0, 1, 0, 0]);
    expect([items[0].mask.width, items[0].mask.height]).toEqual([2, 2]);
  });

  it('yields an all-zero value-0 placeholder for empty frames when discardEmpty is false', () => {
    const items = [...splitLabels(volume(), { discardEmpty: false, frameIndex: [4, 5, 6] })];
    expect(items.map((m) => [m.frame, m.identifier, m.value])).toEqual([
      [4, 'seg_1', 1],
      [4, 'seg_2', 2],
      [5, 'seg', 0],
      // Unnamed: label 2 is seg_2 on every frame, also where it is alone (the Python SDK says seg).
      [6, 'seg_2', 2],
    ]);
    expect(Array.from(items[2].mask.data)).toEqual([0, 0, 0, 0]);
  });

  it('is a lazy iterator', () => {
    const it = splitLabels(volume());
    expect(it[Symbol.iterator]()).toBe(it);
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value?.value).toBe(1);
  });

  it('accepts a single frame index for a one-frame mask (the Python SDK crashes on it)', () => {
    const one = maskFromArray([0, 1, 1, 0], [2, 2]);
    expect([...splitLabels(one, { frameIndex: 7 })].map((m) => m.frame)).toEqual([7]);
  });

  it('validates frameIndex with clear errors', () => {
    expect(() => splitLabels(volume(), { frameIndex: 3 })).toThrow(
      /single number 3 but the mask has 3 frames/,
    );
    expect(() => splitLabels(volume(), { frameIndex: [1, 2] })).toThrow(/2 entries but the mask has 3/);
    expect(() => splitLabels(volume(), { frameIndex: [0, -1, 2] })).toThrow(/frameIndex\[1\] is -1/);
    expect(() => splitLabels(volume(), { frameIndex: [0, 1.5, 2] })).toThrow(MaskShapeError);
  });

  it('throws naming problems before yielding anything, and only for labels that share a frame', () => {
    expect(() => splitLabels(volume(), { names: { 2: 'Tibia' } })).toThrow(/label 1 has no entry/);
    expect(() => splitLabels(volume(), { names: { 1: 'Bone', 2: 'Bone' } })).toThrow(MaskNameError);
    // Labels 1 and 3 never share a frame, so equal names are fine (as in the Python SDK).
    const apart = maskFromArray([1, 3], [1, 1, 2]);
    expect([...splitLabels(apart, { names: { 1: 'Bone', 3: 'Bone' } })].map((m) => m.identifier)).toEqual([
      'Bone',
      'Bone',
    ]);
  });

  it('gives exactly labels === value for random run-heavy and noisy volumes of every array type', () => {
    const rnd = prng(77);
    for (const make of [
      (n: number) => new Uint8Array(n),
      (n: number) => new Uint16Array(n),
      (n: number) => new Uint32Array(n),
    ]) {
      for (const [w, h, f, maxLabel, runLength] of [
        [1, 1, 3, 2, 1],
        [7, 5, 4, 3, 3],
        [33, 9, 3, 255, 1],
        [64, 64, 2, 5, 40],
        [13, 11, 5, 4, 500],
      ]) {
        const data = make(w * h * f);
        for (let i = 0; i < data.length; ) {
          const value = rnd() < 0.4 ? 0 : 1 + Math.floor(rnd() * maxLabel);
          const end = Math.min(data.length, i + 1 + Math.floor(rnd() * runLength));
          data.fill(value, i, end);
          i = end;
        }
        const volume = new MaskVolume(w, h, f, data);
        const items = [...splitLabels(volume, { names: 'x' })];
        let expectedCount = 0;
        for (let k = 0; k < f; k++) {
          const frame = data.subarray(k * w * h, (k + 1) * w * h);
          const values = [...new Set(frame)].filter((v) => v !== 0).sort((a, b) => a - b);
          expectedCount += values.length;
          const ofFrame = items.filter((m) => m.sourceFrame === k);
          expect(ofFrame.map((m) => m.value)).toEqual(values);
          for (const m of ofFrame) {
            expect(Array.from(m.mask.data)).toEqual(Array.from(frame, (v) => (v === m.value ? 1 : 0)));
          }
        }
        expect(items).toHaveLength(expectedCount);
      }
    }
  });

  it('handles 16-bit labels', () => {
    const v = readMask(writeNifti({ dims: [2, 1], type: 'uint16', values: [300, 1000] }));
    expect([...splitLabels(v, { names: { default: 'L' } })].map((m) => m.identifier)).toEqual([
      'L_300',
      'L_1000',
    ]);
  });
});
