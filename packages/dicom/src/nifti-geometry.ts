import { DicomGeometryError, type Vec3 } from './geometry';

/**
 * The geometry part of a NIfTI header, as plain data (a NIfTI reader's output or a resource's
 * `metadata`): no file access, so it works in a browser and across packages.
 */
export interface NiftiGeometryHeader {
  /** The header's `dim` field: `[ndim, n1, n2, n3, …]`. */
  dims: readonly number[];
  /**
   * Voxel → world (RAS, millimetres) affine, row-major, 4 × 4 (a 3 × 4 top is enough). Absent:
   * identity, as the platform assumes when a resource's metadata carries none.
   */
  affine?: readonly (readonly number[])[];
}

/** The anatomical plane a 2-D pixel position is taken in; the slice axis is the one across it. */
export type SlicePlane = 'axial' | 'coronal' | 'sagittal';

/** An orientation code of a voxel axis: the world direction it increases towards. */
export type AxisCode = 'R' | 'L' | 'A' | 'P' | 'S' | 'I';

/** Where a pixel of a slice of a NIfTI volume sits among the voxel axes. */
export interface NiftiSliceLayout {
  /** Voxel axis across the plane (the slice axis). */
  sliceAxis: number;
  /** Voxel axis that receives the pixel `x`. */
  xAxis: number;
  /** Voxel axis that receives the pixel `y`. */
  yAxis: number;
  /** Slice indices count backwards along the voxel axis (its code is I, P or L). */
  reversed: boolean;
  /** Number of slices along the slice axis (1 for a 2-D image). */
  slices: number;
}

const PLANE_CODES: Record<SlicePlane, { forward: AxisCode; backward: AxisCode }> = {
  axial: { forward: 'S', backward: 'I' },
  coronal: { forward: 'A', backward: 'P' },
  sagittal: { forward: 'R', backward: 'L' },
};
const POSITIVE: readonly AxisCode[] = ['R', 'A', 'S'];
const NEGATIVE: readonly AxisCode[] = ['L', 'P', 'I'];

function linear(header: NiftiGeometryHeader): number[][] {
  const a = header.affine;
  if (a === undefined) {
    return [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
  }
  if (a.length < 3 || a.slice(0, 3).some((row) => row.length < 4 || row.some((v) => !Number.isFinite(v)))) {
    throw new DicomGeometryError(
      `needs a 4 × 4 matrix of finite numbers, has ${JSON.stringify(a)}`,
      'affine',
    );
  }
  return a.slice(0, 3).map((row) => row.slice(0, 4));
}

function spatialDims(header: NiftiGeometryHeader): [number, number, number] {
  const d = header.dims;
  const ndim = d[0];
  if (!Array.isArray(d) || ndim === undefined || !Number.isInteger(ndim) || ndim < 2 || d.length < ndim + 1) {
    throw new DicomGeometryError(`needs [ndim, n1, n2, …], has ${JSON.stringify(d)}`, 'dims');
  }
  const size = (i: number) => (i <= ndim ? (d[i] ?? 1) : 1);
  return [size(1), size(2), size(3)];
}

/**
 * The orientation code of each voxel axis (nibabel's `aff2axcodes`): the world axis each voxel
 * axis runs closest to, assigned greedily by the largest share of the axis so that no two voxel
 * axes get the same world axis.
 */
export function niftiAxisCodes(header: Pick<NiftiGeometryHeader, 'affine'>): [AxisCode, AxisCode, AxisCode] {
  const m = linear({ dims: [3, 1, 1, 1], ...header });
  const share = [0, 1, 2].map((j) => {
    const norm = Math.hypot(m[0]![j]!, m[1]![j]!, m[2]![j]!) || 1;
    return [0, 1, 2].map((i) => m[i]![j]! / norm);
  });
  const codes: (AxisCode | undefined)[] = [undefined, undefined, undefined];
  const usedWorld = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best: { i: number; j: number; v: number } | undefined;
    for (let j = 0; j < 3; j++) {
      if (codes[j] !== undefined) continue;
      for (let i = 0; i < 3; i++) {
        if (usedWorld.has(i)) continue;
        const v = share[j]![i]!;
        if (!best || Math.abs(v) > Math.abs(best.v)) best = { i, j, v };
      }
    }
    if (!best) break;
    codes[best.j] = best.v >= 0 ? POSITIVE[best.i] : NEGATIVE[best.i];
    usedWorld.add(best.i);
  }
  return codes as [AxisCode, AxisCode, AxisCode];
}

/**
 * Which voxel axis is the slice axis of `plane` and which receive the pixel `x` and `y`: the two
 * remaining axes in descending order give `y` (higher) and `x` (lower), as the platform's
 * reference SDK assigns them.
 */
export function niftiSliceLayout(header: NiftiGeometryHeader, plane: SlicePlane = 'axial'): NiftiSliceLayout {
  const dims = spatialDims(header);
  const codes = niftiAxisCodes(header);
  const { forward, backward } = PLANE_CODES[plane];
  const sliceAxis = codes.findIndex((c) => c === forward || c === backward);
  if (sliceAxis < 0) {
    throw new DicomGeometryError(
      `no voxel axis runs across the ${plane} plane (codes ${codes.join('')})`,
      'affine',
    );
  }
  const [yAxis, xAxis] = [0, 1, 2].filter((a) => a !== sliceAxis).sort((a, b) => b - a) as [number, number];
  return { sliceAxis, xAxis, yAxis, reversed: codes[sliceAxis] !== forward, slices: dims[sliceAxis] };
}

function sliceOf(layout: NiftiSliceLayout, header: NiftiGeometryHeader, frame: number | undefined): number {
  const twoD = (header.dims[0] ?? 3) < 3;
  if (twoD) return 0;
  if (frame === undefined) {
    if (layout.slices === 1) return 0;
    throw new DicomGeometryError(`a volume of ${layout.slices} slices needs the frame index`, 'frameIndex');
  }
  if (!Number.isInteger(frame) || frame < 0 || frame >= layout.slices) {
    throw new DicomGeometryError(
      `frame ${frame} does not exist (${layout.slices} slices)`,
      'frameIndex',
      frame,
    );
  }
  return layout.reversed ? layout.slices - 1 - frame : frame;
}

function apply(m: number[][], voxel: Vec3): Vec3 {
  return [0, 1, 2].map(
    (i) => m[i]![0]! * voxel[0] + m[i]![1]! * voxel[1] + m[i]![2]! * voxel[2] + m[i]![3]!,
  ) as unknown as Vec3;
}

/** NIfTI world coordinates (RAS, mm) of pixel (x, y) of slice `frame` in `plane`. */
export function niftiPixelToWorld(
  header: NiftiGeometryHeader,
  point: { x: number; y: number },
  frame: number | undefined,
  plane: SlicePlane = 'axial',
): Vec3 {
  if (![point.x, point.y].every(Number.isFinite)) {
    throw new DicomGeometryError(`needs finite numbers, has ${JSON.stringify(point)}`, 'point');
  }
  const layout = niftiSliceLayout(header, plane);
  const voxel = [0, 0, 0];
  voxel[layout.xAxis] = point.x;
  voxel[layout.yAxis] = point.y;
  voxel[layout.sliceAxis] = sliceOf(layout, header, frame);
  return apply(linear(header), voxel as unknown as Vec3);
}

/**
 * Patient coordinates (LPS, mm) of pixel (x, y) of slice `frame`: the world point with x and y
 * negated, which is how the platform stores NIfTI annotations (RAS → LPS).
 */
export function niftiPixelToPatient(
  header: NiftiGeometryHeader,
  point: { x: number; y: number },
  frame: number | undefined,
  plane: SlicePlane = 'axial',
): Vec3 {
  const w = niftiPixelToWorld(header, point, frame, plane);
  return [-w[0], -w[1], w[2]];
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = [m[0]!, m[1]!, m[2]!];
  const det =
    a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) -
    a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) +
    a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new DicomGeometryError('the affine is singular', 'affine');
  }
  const cof = (r0: number[], r1: number[], i: number, j: number) => r0[i]! * r1[j]! - r0[j]! * r1[i]!;
  return [
    [cof(b, c, 1, 2) / det, -cof(a, c, 1, 2) / det, cof(a, b, 1, 2) / det],
    [-cof(b, c, 0, 2) / det, cof(a, c, 0, 2) / det, -cof(a, b, 0, 2) / det],
    [cof(b, c, 0, 1) / det, -cof(a, c, 0, 1) / det, cof(a, b, 0, 1) / det],
  ];
}

/** Where a patient (LPS) point falls on the slices of `plane`; the inverse of {@link niftiPixelToPatient}. */
export function niftiPatientToPixel(
  header: NiftiGeometryHeader,
  point: Vec3,
  plane: SlicePlane = 'axial',
): {
  /** Column index (fractional). */
  x: number;
  /** Row index (fractional). */
  y: number;
  /** Zero-based slice index along the plane's axis. */
  frame: number;
} {
  if (!point.every(Number.isFinite)) {
    throw new DicomGeometryError(`needs finite numbers, has ${JSON.stringify(point)}`, 'point');
  }
  const m = linear(header);
  const inv = invert3(m);
  const d = [-point[0] - m[0]![3]!, -point[1] - m[1]![3]!, point[2] - m[2]![3]!];
  const voxel = inv.map((row) => row[0]! * d[0]! + row[1]! * d[1]! + row[2]! * d[2]!);
  const layout = niftiSliceLayout(header, plane);
  const raw = (header.dims[0] ?? 3) < 3 ? 0 : voxel[layout.sliceAxis]!;
  return {
    x: voxel[layout.xAxis]!,
    y: voxel[layout.yAxis]!,
    frame: layout.reversed ? layout.slices - 1 - raw : raw,
  };
}
