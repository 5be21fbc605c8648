import {
  cross,
  DicomGeometryError,
  dot,
  type FrameGeometry,
  type ImageGeometry,
  type Vec3,
} from './geometry';

/** A pixel location: `x` is the column index, `y` the row index (fractions allowed; pixel centres are integers). */
export interface PixelPoint {
  /** Column index. */
  x: number;
  /** Row index. */
  y: number;
  /** Zero-based frame index; required for images with more than one frame. */
  frame?: number;
}

/** Where a patient-space point falls in an image. */
export interface PixelLocation {
  /** Column index (fractional). */
  x: number;
  /** Row index (fractional). */
  y: number;
  /** Zero-based frame index. */
  frame: number;
  /** Signed distance (mm) of the point from the frame's plane, along the plane normal. */
  distance: number;
}

/** Options of {@link patientToPixel}. */
export interface PatientToPixelOptions {
  /** Project onto this frame instead of the nearest one. */
  frame?: number;
}

function isImageGeometry(g: ImageGeometry | FrameGeometry): g is ImageGeometry {
  return 'frames' in g;
}

function finite(values: readonly number[], what: string): void {
  if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new DicomGeometryError(`needs finite numbers, has ${JSON.stringify(values)}`, what);
  }
}

function pickFrame(geometry: ImageGeometry | FrameGeometry, frame: number | undefined): FrameGeometry {
  if (!isImageGeometry(geometry)) {
    if (frame !== undefined && frame !== geometry.frame) {
      throw new DicomGeometryError(
        `this geometry is of frame ${geometry.frame}, not ${frame}`,
        'frame',
        frame,
      );
    }
    return geometry;
  }
  const frames = geometry.frames;
  if (frame === undefined) {
    if (frames.length === 1) return frames[0];
    throw new DicomGeometryError(`the image has ${frames.length} frames: give the frame index`, 'frame');
  }
  const g = Number.isInteger(frame) ? frames[frame] : undefined;
  if (!g)
    throw new DicomGeometryError(`frame ${frame} does not exist (${frames.length} frames)`, 'frame', frame);
  return g;
}

/**
 * Pixel → patient (PS3.3 C.7.6.2.1.1): `P = IPP + x·Δcol·rowDirection + y·Δrow·columnDirection`,
 * where `Δrow = PixelSpacing[0]` and `Δcol = PixelSpacing[1]`. The Python SDK multiplies `x` by
 * `PixelSpacing[0]` instead, which differs whenever pixels are not square.
 */
export function pixelToPatient(geometry: ImageGeometry | FrameGeometry, point: PixelPoint): Vec3 {
  finite([point.x, point.y], 'point');
  const g = pickFrame(geometry, point.frame);
  const a = point.x * g.columnSpacing;
  const b = point.y * g.rowSpacing;
  const p = g.position;
  const r = g.rowDirection;
  const c = g.columnDirection;
  return [p[0] + a * r[0] + b * c[0], p[1] + a * r[1] + b * c[1], p[2] + a * r[2] + b * c[2]];
}

/**
 * Solves `P − IPP = x·Δcol·r + y·Δrow·c + distance·n` exactly, so stored direction cosines that
 * are not perfectly orthonormal (rounded DS text) still invert {@link pixelToPatient} to ~1e-12.
 */
function project(g: FrameGeometry, point: Vec3): PixelLocation {
  const u: Vec3 = [
    g.rowDirection[0] * g.columnSpacing,
    g.rowDirection[1] * g.columnSpacing,
    g.rowDirection[2] * g.columnSpacing,
  ];
  const v: Vec3 = [
    g.columnDirection[0] * g.rowSpacing,
    g.columnDirection[1] * g.rowSpacing,
    g.columnDirection[2] * g.rowSpacing,
  ];
  const n = g.normal;
  const d: Vec3 = [point[0] - g.position[0], point[1] - g.position[1], point[2] - g.position[2]];
  const vn = cross(v, n);
  const det = dot(u, vn);
  return {
    x: dot(d, vn) / det,
    y: dot(u, cross(d, n)) / det,
    frame: g.frame,
    distance: dot(u, cross(v, d)) / det,
  };
}

/**
 * Patient → pixel: the inverse of {@link pixelToPatient}. For multi-frame geometry the point is
 * projected onto the frame whose plane is nearest (smallest |distance|), unless `options.frame`
 * names one. Coordinates are not rounded; round them yourself to address pixels.
 */
export function patientToPixel(
  geometry: ImageGeometry | FrameGeometry,
  point: Vec3,
  options: PatientToPixelOptions = {},
): PixelLocation {
  finite([point[0], point[1], point[2]], 'point');
  if (options.frame !== undefined || !isImageGeometry(geometry)) {
    return project(pickFrame(geometry, options.frame), point);
  }
  let best: PixelLocation | undefined;
  for (const g of geometry.frames) {
    const loc = project(g, point);
    if (!best || Math.abs(loc.distance) < Math.abs(best.distance)) best = loc;
  }
  if (!best) throw new DicomGeometryError('the geometry has no frames', 'frames');
  return best;
}
