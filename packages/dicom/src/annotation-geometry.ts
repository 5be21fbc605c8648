import { patientToPixel, pixelToPatient } from './coordinates';
import { cross, DicomGeometryError, dot, type ImageGeometry, type Vec3 } from './geometry';
import {
  type NiftiGeometryHeader,
  niftiPatientToPixel,
  niftiPixelToPatient,
  niftiPixelToWorld,
  type SlicePlane,
} from './nifti-geometry';

/**
 * The image an annotation is drawn on, when its patient geometry is known: a DICOM image
 * (`geometryOf`) or a NIfTI volume (its header as plain data). 2-D images (PNG, JPEG) have none.
 */
export type ImageSpace =
  | {
      /** A DICOM image. */
      kind: 'dicom';
      /** Its geometry, from `geometryOf`. */
      geometry: ImageGeometry;
    }
  | {
      /** A NIfTI volume. */
      kind: 'nifti';
      /** Its header fields (`dims`, `affine`) as plain data. */
      header: NiftiGeometryHeader;
      /** The plane its slices are viewed in (default axial). */
      plane?: SlicePlane;
    };

/** The two vectors the platform's viewer stores with a patient-space line or box. */
export interface ViewVectors {
  /** Normal of the plane the annotation was drawn on (patient space). */
  viewPlaneNormal: Vec3;
  /** The viewer's up direction on that plane (patient space). */
  viewUp: Vec3;
}

/** Coordinates of an annotation's points: image pixels `[x, y, frame]` or patient millimetres (LPS). */
export type CoordinateSystem = 'pixel' | 'patient';

/** The `geometry` object of a line or box annotation, exactly as the platform stores it. */
export interface AnnotationGeometry {
  /** Present only for patient-space points whose image geometry was known. */
  viewPlaneNormal?: Vec3;
  /** Present only for patient-space points whose image geometry was known. */
  viewUp?: Vec3;
  /** 2 points for a line, 4 corners for a box; each `[x, y, z]`. */
  points: number[][];
}

function unit(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (!(n > 0))
    throw new DicomGeometryError(`cannot normalise the zero vector ${JSON.stringify(v)}`, 'direction');
  return [v[0] / n, v[1] / n, v[2] / n];
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/**
 * The view vectors the platform stores for an image, copied literally from its reference SDK so
 * annotations we write land where the hosted viewer draws its own:
 * - DICOM (always frame 0): `viewPlaneNormal = normalize(row × column)`, `viewUp = normalize(column)`.
 *   `viewUp` is the direction of *increasing row index*, i.e. downwards on screen — not the usual
 *   "screen up"; the platform's viewer reads it that way.
 * - NIfTI (always the axial plane, slice 0, in RAS before the LPS flip of the points):
 *   `viewPlaneNormal = −normalize(right × up)` (the whole vector negated), `viewUp = normalize(up)`
 *   (not flipped), `right`/`up` being the world steps of pixel x and y. Points are LPS while these
 *   vectors are RAS; the platform does this and we match it on purpose.
 */
export function viewVectors(space: ImageSpace): ViewVectors {
  if (space.kind === 'dicom') {
    const f = space.geometry.frames[0];
    if (!f) throw new DicomGeometryError('the geometry has no frames', 'frames');
    return {
      viewPlaneNormal: unit(cross(f.rowDirection, f.columnDirection)),
      viewUp: unit(f.columnDirection),
    };
  }
  const header = space.header;
  const layoutFrame = (header.dims[0] ?? 3) < 3 ? undefined : 0;
  const origin = niftiPixelToWorld(header, { x: 0, y: 0 }, layoutFrame);
  const right = sub(niftiPixelToWorld(header, { x: 1, y: 0 }, layoutFrame), origin);
  const up = sub(niftiPixelToWorld(header, { x: 0, y: 1 }, layoutFrame), origin);
  const n = unit(cross(right, up));
  return { viewPlaneNormal: [-n[0], -n[1], -n[2]], viewUp: unit(up) };
}

/**
 * Patient coordinates (LPS, mm) of pixel (x, y) on frame `frame`: the DICOM plane of that frame
 * (`x` steps by the column spacing, `y` by the row spacing), or the NIfTI affine with x and y
 * negated. A single-frame image needs no frame index.
 */
export function pixelPointToPatient(
  space: ImageSpace,
  point: { x: number; y: number },
  frame: number | undefined,
): Vec3 {
  if (space.kind === 'dicom') {
    return pixelToPatient(space.geometry, {
      x: point.x,
      y: point.y,
      ...(frame !== undefined ? { frame } : {}),
    });
  }
  return niftiPixelToPatient(space.header, point, frame, space.plane);
}

/** A pixel location read back from a patient point. */
export interface PixelPosition {
  /** Column (fractional). */
  x: number;
  /** Row (fractional). */
  y: number;
  /** Zero-based frame (slice) index; fractional when the point lies between slices. */
  frame: number;
}

/** The inverse of {@link pixelPointToPatient}; DICOM points go to the frame whose plane is nearest. */
export function patientPointToPixel(space: ImageSpace, point: Vec3): PixelPosition {
  if (space.kind === 'dicom') {
    const loc = patientToPixel(space.geometry, point);
    return { x: loc.x, y: loc.y, frame: loc.frame };
  }
  return niftiPatientToPixel(space.header, point, space.plane);
}

/**
 * The 4 corners of a box from two opposite corners, ordered `[p1, corner, corner, p2]` as the
 * platform stores them. With view vectors the box is spanned by the in-plane right
 * (`normal × viewUp`) and down (`−viewUp`) directions; without them, by the pixel x and y axes
 * at p1's z.
 */
export function boxCorners(p1: readonly number[], p2: readonly number[], vectors?: ViewVectors): number[][] {
  const [x1 = 0, y1 = 0, z1 = 0] = p1;
  const [x2 = 0, y2 = 0, z2 = 0] = p2;
  if (!vectors) {
    return [
      [x1, y1, z1],
      [x2, y1, z1],
      [x1, y2, z1],
      [x2, y2, z1],
    ];
  }
  const right = unit(cross(vectors.viewPlaneNormal, vectors.viewUp));
  const u = unit(vectors.viewUp);
  const down: Vec3 = [-u[0], -u[1], -u[2]];
  const d: Vec3 = [x2 - x1, y2 - y1, z2 - z1];
  const w = dot(d, right);
  const h = dot(d, down);
  return [
    [x1, y1, z1],
    [x1 + w * right[0], y1 + w * right[1], z1 + w * right[2]],
    [x1 + h * down[0], y1 + h * down[1], z1 + h * down[2]],
    [x2, y2, z2],
  ];
}

/** What {@link annotationGeometry} needs to know about a line or box. */
export interface AnnotationGeometryInput {
  /** A line or a box (`square` on the wire). */
  shape: 'line' | 'box';
  /** Two points: a line's ends or a box's opposite corners. Pixel `[x, y]` (or `[x, y, frame]`), patient `[X, Y, Z]`. */
  points: readonly [readonly number[], readonly number[]];
  /** Whether `points` are pixels or patient millimetres. */
  coordsSystem: CoordinateSystem;
  /** Frame (slice) of pixel points; for pixel points it wins over a third coordinate. */
  frameIndex?: number;
  /** The image's geometry, when known. Pixel points are then converted to patient coordinates. */
  space?: ImageSpace;
}

/** The geometry to send and the coordinate system its points ended up in. */
export interface BuiltAnnotationGeometry {
  /** The `geometry` object to send. */
  geometry: AnnotationGeometry;
  /** The coordinate system of its points. */
  coordinateSystem: CoordinateSystem;
}

function checkPoint(value: unknown, field: string, sizes: readonly number[]): number[] {
  if (
    !Array.isArray(value) ||
    !sizes.includes(value.length) ||
    value.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    throw new AnnotationGeometryError(
      `needs ${sizes.join(' or ')} finite numbers, has ${JSON.stringify(value)}`,
      field,
    );
  }
  return value as number[];
}

/**
 * The platform geometry of a line or box: pixel points are converted to patient coordinates
 * whenever the image geometry is known (the reference SDK's helpers silently skip this), view
 * vectors accompany patient points whose image is known, and boxes get their 4 corners.
 */
export function annotationGeometry(input: AnnotationGeometryInput): BuiltAnnotationGeometry {
  const { space, coordsSystem, frameIndex } = input;
  if (coordsSystem !== 'pixel' && coordsSystem !== 'patient') {
    throw new AnnotationGeometryError(
      `must be "pixel" or "patient", has ${JSON.stringify(coordsSystem)}`,
      'coordsSystem',
    );
  }
  if (frameIndex !== undefined && !(Number.isInteger(frameIndex) && frameIndex >= 0)) {
    throw new AnnotationGeometryError(
      `must be a non-negative integer, has ${JSON.stringify(frameIndex)}`,
      'frameIndex',
    );
  }
  let points: number[][];
  if (coordsSystem === 'patient') {
    points = input.points.map((p, i) => checkPoint(p, `point${i + 1}`, [3]));
  } else {
    const given = input.points.map((p, i) => checkPoint(p, `point${i + 1}`, [2, 3]));
    if (space) {
      points = given.map((p, i) => {
        const frame = frameIndex ?? p[2];
        try {
          return [...pixelPointToPatient(space, { x: p[0]!, y: p[1]! }, frame)];
        } catch (error) {
          if (
            error instanceof DicomGeometryError &&
            (error.attribute === 'frame' || error.attribute === 'frameIndex')
          ) {
            throw new AnnotationGeometryError(
              error.message,
              frameIndex === undefined ? `point${i + 1}` : 'frameIndex',
            );
          }
          throw error;
        }
      });
    } else {
      points = given.map((p) => [p[0]!, p[1]!, frameIndex ?? p[2] ?? 0]);
    }
  }
  const patient = coordsSystem === 'patient' || space !== undefined;
  const vectors = patient && space ? viewVectors(space) : undefined;
  const geometry: AnnotationGeometry = {
    ...(vectors ?? {}),
    points: input.shape === 'box' ? boxCorners(points[0]!, points[1]!, vectors) : points,
  };
  return { geometry, coordinateSystem: patient ? 'patient' : 'pixel' };
}

/** A geometry the server returned, or one given to us, is not a valid line or box. */
export class AnnotationGeometryError extends DicomGeometryError {
  /** The offending field, e.g. `geometry.points[1][2]`. */
  readonly field: string;
  constructor(message: string, field: string) {
    super(message, field);
    this.field = field;
  }
}

/** A line annotation's geometry, read back. */
export interface LineGeometry {
  /** A line. */
  kind: 'line';
  /** The two ends: `[x, y, z]`; a pixel `z` is the frame index, possibly absent (`null` on the wire). */
  points: [(number | null)[], (number | null)[]];
  /** Patient points with known geometry carry view vectors; pixel points do not. */
  viewPlaneNormal?: Vec3;
  /** The viewer's up direction on that plane (patient space). */
  viewUp?: Vec3;
}

/** A box (`square`) annotation's geometry, read back, always with its 4 corners. */
export interface BoxGeometry {
  /** A box. */
  kind: 'box';
  /** `[p1, corner, corner, p2]`, each `[x, y, z]`. */
  points: [number[], number[], number[], number[]];
  /** Normal of the plane the annotation was drawn on (patient space). */
  viewPlaneNormal?: Vec3;
  /** The viewer's up direction on that plane (patient space). */
  viewUp?: Vec3;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPoint(
  value: unknown,
  field: string,
  sizes: readonly number[],
  nullZ: boolean,
): (number | null)[] {
  if (!Array.isArray(value) || !sizes.includes(value.length)) {
    throw new AnnotationGeometryError(
      `must be a point of ${sizes.join(' or ')} numbers, has ${JSON.stringify(value)}`,
      field,
    );
  }
  value.forEach((v, i) => {
    const ok = typeof v === 'number' ? Number.isFinite(v) : nullZ && i === 2 && v === null;
    if (!ok)
      throw new AnnotationGeometryError(
        `must be a finite number, has ${JSON.stringify(v)}`,
        `${field}[${i}]`,
      );
  });
  return value as (number | null)[];
}

function readVectors(g: Record<string, unknown>, field: string): Partial<ViewVectors> {
  const out: Partial<ViewVectors> = {};
  for (const key of ['viewPlaneNormal', 'viewUp'] as const) {
    if (g[key] === undefined) continue;
    out[key] = readPoint(g[key], `${field}.${key}`, [3], false) as unknown as Vec3;
  }
  if ((out.viewPlaneNormal === undefined) !== (out.viewUp === undefined)) {
    const missing = out.viewPlaneNormal === undefined ? 'viewPlaneNormal' : 'viewUp';
    throw new AnnotationGeometryError('view vectors come in pairs', `${field}.${missing}`);
  }
  return out;
}

function readPoints(value: unknown, field: string): unknown[] {
  if (!isObject(value)) {
    throw new AnnotationGeometryError(
      `must be an object {"points": [[x, y, z], …]}, has ${JSON.stringify(value)}`,
      field,
    );
  }
  if (!Array.isArray(value.points)) {
    throw new AnnotationGeometryError(
      `must be an array of points, has ${JSON.stringify(value.points)}`,
      `${field}.points`,
    );
  }
  return value.points;
}

/**
 * Reads a line's geometry: 2 points of 2 or 3 numbers (a pixel line without a frame may have a
 * `null` third number, as older clients send). Throws {@link AnnotationGeometryError} naming the field.
 */
export function parseLineGeometry(value: unknown, field = 'geometry'): LineGeometry {
  const points = readPoints(value, field);
  if (points.length !== 2) {
    throw new AnnotationGeometryError(`a line needs 2 points, has ${points.length}`, `${field}.points`);
  }
  const [a, b] = points.map((p, i) => readPoint(p, `${field}.points[${i}]`, [2, 3], true)) as [
    (number | null)[],
    (number | null)[],
  ];
  return { kind: 'line', points: [a, b], ...readVectors(value as Record<string, unknown>, field) };
}

/**
 * Reads a box's geometry: 4 corners of 3 numbers, or the 2 opposite corners older clients send
 * (expanded to 4 along the pixel axes, or along the view vectors when present).
 */
export function parseBoxGeometry(value: unknown, field = 'geometry'): BoxGeometry {
  const points = readPoints(value, field);
  if (points.length !== 2 && points.length !== 4) {
    throw new AnnotationGeometryError(
      `a box needs 4 corners (or 2 opposite ones), has ${points.length}`,
      `${field}.points`,
    );
  }
  const read = points.map((p, i) =>
    readPoint(p, `${field}.points[${i}]`, points.length === 2 ? [2, 3] : [3], points.length === 2),
  );
  const vectors = readVectors(value as Record<string, unknown>, field);
  const corners =
    read.length === 4
      ? (read as number[][])
      : boxCorners(
          read[0]!.map((v) => v ?? 0),
          read[1]!.map((v) => v ?? 0),
          vectors.viewUp && vectors.viewPlaneNormal ? (vectors as ViewVectors) : undefined,
        );
  return { kind: 'box', points: corners as BoxGeometry['points'], ...vectors };
}

/**
 * The pixel positions of a geometry's points on `space`, for drawing it on a frame. Patient points
 * (those with view vectors, or any when `coordinateSystem` says so) need the image's `space`;
 * pixel points are `[x, y, frame]` already (frame `undefined` when the line has none).
 */
export function toPixel(
  geometry: LineGeometry | BoxGeometry,
  space?: ImageSpace,
  options: { coordinateSystem?: CoordinateSystem } = {},
): {
  /** Column. */
  x: number;
  /** Row. */
  y: number;
  /** Frame (slice) index; `undefined` for a pixel line without one. */
  frame: number | undefined;
}[] {
  const system = options.coordinateSystem ?? (geometry.viewUp ? 'patient' : 'pixel');
  if (system === 'pixel') {
    return geometry.points.map((p) => ({ x: p[0] ?? 0, y: p[1] ?? 0, frame: p[2] ?? undefined }));
  }
  if (!space) {
    throw new AnnotationGeometryError(
      'patient-space points need the image geometry to map to pixels',
      'space',
    );
  }
  return geometry.points.map((p, i) => {
    if (p.length !== 3 || p.some((v) => v === null)) {
      throw new AnnotationGeometryError(
        `a patient point needs 3 numbers, has ${JSON.stringify(p)}`,
        `points[${i}]`,
      );
    }
    return patientPointToPixel(space, p as unknown as Vec3);
  });
}
