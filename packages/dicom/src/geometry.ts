import type { DicomDataset } from './dataset';
import { DicomError } from './errors';

/** A point or direction in the patient coordinate system (LPS, millimetres). */
export type Vec3 = readonly [number, number, number];

/** The image plane of one frame, as the DICOM standard defines it (PS3.3 C.7.6.2). */
export interface FrameGeometry {
  /** Zero-based frame index this plane belongs to. */
  frame: number;
  /** ImagePositionPatient: centre of the first transmitted pixel (row 0, column 0). */
  position: Vec3;
  /** First three ImageOrientationPatient values: the direction of increasing column index `x`. */
  rowDirection: Vec3;
  /** Last three ImageOrientationPatient values: the direction of increasing row index `y`. */
  columnDirection: Vec3;
  /** Unit normal `rowDirection × columnDirection`. */
  normal: Vec3;
  /** PixelSpacing[0]: distance between the centres of adjacent rows, the step per `y`. */
  rowSpacing: number;
  /** PixelSpacing[1]: distance between the centres of adjacent columns, the step per `x`. */
  columnSpacing: number;
}

/** Where the frame positions of an {@link ImageGeometry} came from. */
export type GeometrySource =
  /** PerFrameFunctionalGroupsSequence / SharedFunctionalGroupsSequence (enhanced and assembled files). */
  | 'functional-groups'
  /** Top-level ImagePositionPatient of a single-frame image. */
  | 'image-plane'
  /** RT Dose: ImagePositionPatient plus GridFrameOffsetVector along the normal. */
  | 'grid-frame-offsets'
  /** Classic multi-frame: ImagePositionPatient plus k × SpacingBetweenSlices (or SliceThickness). */
  | 'extrapolated';

/** The geometry of every frame of an image. */
export interface ImageGeometry {
  /** Rows of the image, when the data set has them. */
  rows: number | undefined;
  /** Columns of the image, when the data set has them. */
  columns: number | undefined;
  /** Each frame's plane, in frame order. */
  frames: readonly FrameGeometry[];
  /** Which attributes the planes were taken from. */
  source: GeometrySource;
}

/** The image lacks, or has unusable, geometry attributes. */
export class DicomGeometryError extends DicomError {
  /** The attribute that was missing or invalid, e.g. `ImageOrientationPatient`. */
  readonly attribute: string;
  /** The frame whose geometry failed, when one did. */
  readonly frame: number | undefined;
  constructor(message: string, attribute: string, frame?: number) {
    super(`${frame !== undefined ? `frame ${frame}: ` : ''}${attribute}: ${message}`);
    this.attribute = attribute;
    this.frame = frame;
  }
}

const PER_FRAME = 'x52009230';
const SHARED = 'x52009229';
const PLANE_POSITION = 'x00209113';
const PLANE_ORIENTATION = 'x00209116';
const PIXEL_MEASURES = 'x00289110';
const IPP = 'x00200032';
const IOP = 'x00200037';
const PIXEL_SPACING = 'x00280030';
const SPACING_BETWEEN_SLICES = 'x00180088';
const SLICE_THICKNESS = 'x00180050';
const GRID_FRAME_OFFSETS = 'x3004000c';
const NUMBER_OF_FRAMES = 'x00280008';

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function unit(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** First item of a sequence inside a functional group item, if present. */
function macro(group: DicomDataset | undefined, sequence: string): DicomDataset | undefined {
  return group?.sequence(sequence)?.[0];
}

/**
 * Looks an attribute up in the frame's per-frame macro, then the shared macro, then the top level.
 * An empty per-frame item falls through to Shared (the Python SDK throws there, spec §4.2).
 */
function lookup(
  ds: DicomDataset,
  perFrame: DicomDataset | undefined,
  shared: DicomDataset | undefined,
  sequence: string,
  attribute: string,
): number[] | undefined {
  for (const item of [macro(perFrame, sequence), macro(shared, sequence)]) {
    const v = item?.numbers(attribute);
    if (v && v.length > 0) return v;
  }
  const top = ds.numbers(attribute);
  return top && top.length > 0 ? top : undefined;
}

function requireValues(values: number[] | undefined, count: number, name: string, frame: number): number[] {
  if (!values) throw new DicomGeometryError('attribute is missing', name, frame);
  if (values.length < count || values.slice(0, count).some((v) => !Number.isFinite(v))) {
    throw new DicomGeometryError(`needs ${count} numbers, has "${values.join('\\')}"`, name, frame);
  }
  return values;
}

function planeOf(frame: number, position: number[], orientation: number[], spacing: number[]): FrameGeometry {
  const rowDirection: Vec3 = [orientation[0], orientation[1], orientation[2]];
  const columnDirection: Vec3 = [orientation[3], orientation[4], orientation[5]];
  const n = cross(rowDirection, columnDirection);
  if (Math.hypot(n[0], n[1], n[2]) < 1e-6) {
    throw new DicomGeometryError(
      `row and column directions are parallel or zero ("${orientation.join('\\')}")`,
      'ImageOrientationPatient',
      frame,
    );
  }
  if (!(spacing[0] > 0 && spacing[1] > 0)) {
    throw new DicomGeometryError(
      `spacing must be positive, has "${spacing.join('\\')}"`,
      'PixelSpacing',
      frame,
    );
  }
  return {
    frame,
    position: [position[0], position[1], position[2]],
    rowDirection,
    columnDirection,
    normal: unit(n),
    rowSpacing: spacing[0],
    columnSpacing: spacing[1],
  };
}

function frameCount(ds: DicomDataset, perFrame: DicomDataset[] | undefined): number {
  const n = ds.number(NUMBER_OF_FRAMES);
  if (n !== undefined && Number.isInteger(n) && n > 0) return n;
  return perFrame && perFrame.length > 0 ? perFrame.length : 1;
}

function sliceStep(ds: DicomDataset, shared: DicomDataset | undefined): number {
  const candidates = [
    ds.number(SPACING_BETWEEN_SLICES),
    macro(shared, PIXEL_MEASURES)?.number(SPACING_BETWEEN_SLICES),
    ds.number(SLICE_THICKNESS),
  ];
  for (const c of candidates) if (c !== undefined && Number.isFinite(c) && c !== 0) return c;
  throw new DicomGeometryError(
    'a classic multi-frame image needs SpacingBetweenSlices or SliceThickness to place frames after the first',
    'SpacingBetweenSlices',
  );
}

function frameGeometry(ds: DicomDataset, frame: number, all: ImageGeometryPlan): FrameGeometry {
  const perFrame = all.perFrame?.[frame];
  const orientation = requireValues(
    lookup(ds, perFrame, all.shared, PLANE_ORIENTATION, IOP),
    6,
    'ImageOrientationPatient',
    frame,
  );
  const spacing = requireValues(
    lookup(ds, perFrame, all.shared, PIXEL_MEASURES, PIXEL_SPACING),
    2,
    'PixelSpacing',
    frame,
  );
  if (all.source === 'functional-groups') {
    const position = requireValues(
      lookup(ds, perFrame, all.shared, PLANE_POSITION, IPP),
      3,
      'ImagePositionPatient',
      frame,
    );
    return planeOf(frame, position, orientation, spacing);
  }
  const first = requireValues(ds.numbers(IPP), 3, 'ImagePositionPatient', frame);
  const plane = planeOf(frame, first, orientation, spacing);
  const offset = all.offsets ? all.offsets[frame] : frame * (all.step ?? 0);
  if (offset === 0) return plane;
  const n = plane.normal;
  return {
    ...plane,
    position: [first[0] + offset * n[0], first[1] + offset * n[1], first[2] + offset * n[2]],
  };
}

interface ImageGeometryPlan {
  source: GeometrySource;
  count: number;
  perFrame: DicomDataset[] | undefined;
  shared: DicomDataset | undefined;
  offsets?: number[];
  step?: number;
}

function planOf(ds: DicomDataset): ImageGeometryPlan {
  const perFrame = ds.sequence(PER_FRAME);
  const shared = ds.sequence(SHARED)?.[0];
  const count = frameCount(ds, perFrame);
  const hasGroupPositions =
    (perFrame?.some((item) => macro(item, PLANE_POSITION)?.has(IPP)) ?? false) ||
    (macro(shared, PLANE_POSITION)?.has(IPP) ?? false);
  if (hasGroupPositions) return { source: 'functional-groups', count, perFrame, shared };
  if (count === 1) return { source: 'image-plane', count, perFrame, shared };
  const grid = ds.numbers(GRID_FRAME_OFFSETS);
  if (grid && grid.length >= count && ds.has(IPP)) {
    // PS3.3 C.8.8.3.2: relative offsets start at 0; absolute ones (axial only) start at the z of
    // ImagePositionPatient. Subtracting the first entry covers both.
    return { source: 'grid-frame-offsets', count, perFrame, shared, offsets: grid.map((g) => g - grid[0]) };
  }
  // Without a plane the frames fail on the missing plane attributes, which is the better message.
  const step = ds.has(IPP) && ds.has(IOP) ? sliceStep(ds, shared) : 0;
  return { source: 'extrapolated', count, perFrame, shared, step };
}

/**
 * The patient-space geometry of an image. Without `frame`: every frame (per-frame functional
 * groups for enhanced and assembled files, RT Dose grid offsets, or one plane for classic images).
 * With `frame`: that frame's plane. Throws {@link DicomGeometryError} naming the missing attribute.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { geometryOf, parseDicom, patientToPixel, pixelToPatient } from '@datamint/dicom';
 *
 * const ct = parseDicom(await readFile('ct.dcm'), { headerOnly: true });
 * const geometry = geometryOf(ct);
 * const mm = pixelToPatient(geometry, { x: 10, y: 20, frame: 0 }); // [X, Y, Z] in patient millimetres
 * console.log(mm, patientToPixel(geometry, mm));
 * ```
 */
export function geometryOf(parsed: DicomDataset): ImageGeometry;
export function geometryOf(parsed: DicomDataset, frame: number): FrameGeometry;
export function geometryOf(parsed: DicomDataset, frame?: number): ImageGeometry | FrameGeometry {
  const plan = planOf(parsed);
  if (frame !== undefined) {
    if (!Number.isInteger(frame) || frame < 0 || frame >= plan.count) {
      throw new DicomGeometryError(`frame ${frame} does not exist (${plan.count} frames)`, 'NumberOfFrames');
    }
    return frameGeometry(parsed, frame, plan);
  }
  const frames: FrameGeometry[] = [];
  for (let k = 0; k < plan.count; k++) frames.push(frameGeometry(parsed, k, plan));
  return {
    rows: parsed.number('x00280010'),
    columns: parsed.number('x00280011'),
    frames,
    source: plan.source,
  };
}
