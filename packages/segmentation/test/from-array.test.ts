import { describe, expect, it } from 'vitest';
import { checkMaskDimensions, MaskShapeError, MaskValueError, maskFromArray } from '../src/index';

describe('maskFromArray', () => {
  // numpy C-order (H=2, W=3): [[1, 2, 3], [4, 5, 6]]
  const hw = [1, 2, 3, 4, 5, 6];

  it('reads [H, W] row-major as rows and columns', () => {
    const v = maskFromArray(hw, [2, 3]);
    expect([v.width, v.height, v.frames]).toEqual([3, 2, 1]);
    expect(Array.from(v.data)).toEqual(hw);
  });

  it('transpose swaps axes 0 and 1', () => {
    const v = maskFromArray(hw, [2, 3], { transpose: true });
    expect([v.width, v.height]).toEqual([2, 3]);
    // arr.T = [[1, 4], [2, 5], [3, 6]]
    expect(Array.from(v.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('takes frames from the last axis of [H, W, F]', () => {
    // arr[y, x, f] = 100*f + 10*y + x, shape (2, 3, 2), C order.
    const data: number[] = [];
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 3; x++) for (let f = 0; f < 2; f++) data.push(100 * f + 10 * y + x);
    const v = maskFromArray(Uint16Array.from(data), [2, 3, 2]);
    expect([v.width, v.height, v.frames]).toEqual([3, 2, 2]);
    expect(Array.from(v.frame(0).data)).toEqual([0, 1, 2, 10, 11, 12]);
    expect(Array.from(v.frame(1).data)).toEqual([100, 101, 102, 110, 111, 112]);
    const t = maskFromArray(Uint16Array.from(data), [2, 3, 2], { transpose: true });
    expect([t.width, t.height, t.frames]).toEqual([2, 3, 2]);
    expect(Array.from(t.frame(1).data)).toEqual([100, 110, 101, 111, 102, 112]);
  });

  it('picks the smallest unsigned array and copies the input', () => {
    const input = new Int32Array([0, 255, 1, 2]);
    const v = maskFromArray(input, [2, 2]);
    expect(v.data).toBeInstanceOf(Uint8Array);
    input[0] = 9;
    expect(v.data[0]).toBe(0);
    expect(maskFromArray([0, 256], [1, 2]).data).toBeInstanceOf(Uint16Array);
    expect(maskFromArray(new Float64Array([0, 70000]), [1, 2]).data).toBeInstanceOf(Uint32Array);
    expect(maskFromArray(new BigUint64Array([0n, 5n]), [1, 2]).data).toBeInstanceOf(Uint8Array);
  });

  it('raises MaskValueError for labels the Python SDK would wrap, naming index and value', () => {
    expect(() => maskFromArray([0, 1.5], [1, 2])).toThrow(
      /data\[1\] \(index \[0, 1\]\) = 1.5 is not an integer/,
    );
    expect(() => maskFromArray(new Int8Array([0, -1]), [1, 2])).toThrow(MaskValueError);
    expect(() => maskFromArray([Number.NaN, 1], [1, 2])).toThrow(/not finite/);
    expect(() => maskFromArray([2 ** 32, 1], [1, 2])).toThrow(/exceeds/);
    expect(() => maskFromArray(new BigInt64Array([-3n, 1n]), [1, 2])).toThrow(/is negative/);
  });

  it('wrap: true reproduces numpy astype(uint8): 257 -> 1, 300 -> 44, -1 -> 255, 1.9 -> 1, 0.5 -> 0', () => {
    const v = maskFromArray([257, 300, -1, 1.9, 0.5, 256], [2, 3], { wrap: true });
    expect(v.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(v.data)).toEqual([1, 44, 255, 1, 0, 0]);
    expect(
      Array.from(maskFromArray(new BigInt64Array([2n ** 40n + 7n, -2n]), [1, 2], { wrap: true }).data),
    ).toEqual([7, 254]);
  });

  it('checks the shape against the data length', () => {
    expect(() => maskFromArray([1, 2, 3], [2, 2])).toThrow(/3 values but shape \[2,2\] needs 4/);
    expect(() => maskFromArray([1], [1, 0])).toThrow(MaskShapeError);
    expect(() => maskFromArray([1], [1] as unknown as [number, number])).toThrow(MaskShapeError);
  });

  it('compares with the target Rows/Columns/NumberOfFrames and hints at transpose', () => {
    const v = maskFromArray(new Uint8Array(6), [2, 3]);
    expect(() => checkMaskDimensions(v, { rows: 2, columns: 3, frames: 1 })).not.toThrow();
    expect(() =>
      maskFromArray(new Uint8Array(6), [2, 3], { target: { rows: 3, columns: 2 }, name: 'arr' }),
    ).toThrow(
      /"arr" \(3 columns x 2 rows x 1 frames\).*height 2 != Rows 3, width 3 != Columns 2; width and height are swapped: toggle the transpose option/,
    );
    expect(() => checkMaskDimensions(v, { frames: 4 })).toThrow(/frames 1 != NumberOfFrames 4/);
    expect(() =>
      maskFromArray(new Uint8Array(6), [2, 3], { transpose: true, target: { rows: 3, columns: 2 } }),
    ).not.toThrow();
  });
});
