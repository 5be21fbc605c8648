import { type ImageGeometry, patientToPixel, type Vec3 } from '@datamint/dicom';

// Lines and boxes as the platform stores them, turned into pixel outlines for one frame.
//
// The platform keeps geometry of DICOM and NIfTI resources in patient space (LPS millimetres) and
// marks it with `viewPlaneNormal`/`viewUp`; geometry without those vectors is in pixel coordinates
// `[x, y, frame]` (2D images, or clients that had no image geometry). A 4-point box lists its corners as
// [p1, p1 + width, p1 + height, p2], so the outline visits them in the order 0, 1, 3, 2.

/** An outline to draw on the current frame, in pixel coordinates (x = column, y = row). */
export interface PixelShape {
  kind: 'line' | 'box';
  label: string;
  points: Array<[number, number]>;
}

/** Why an annotation is not drawn on this frame (shown in the annotation list). */
export type ShapeSkip = 'other-frame' | 'no-geometry' | 'needs-dicom-geometry' | 'malformed';

/** The fields of an annotation the outline needs. */
export interface GeometryAnnotation {
  type: string;
  identifier: string;
  frame_index: number | null;
  geometry: unknown;
}

function pointsOf(geometry: unknown): Vec3[] | undefined {
  if (!geometry || typeof geometry !== 'object' || !('points' in geometry)) return undefined;
  const raw = (geometry as { points: unknown }).points;
  if (!Array.isArray(raw)) return undefined;
  const points: Vec3[] = [];
  for (const p of raw) {
    if (!Array.isArray(p) || p.length < 2) return undefined;
    const [x, y, z] = p as unknown[];
    if (typeof x !== 'number' || typeof y !== 'number') return undefined;
    points.push([x, y, typeof z === 'number' ? z : Number.NaN]);
  }
  return points;
}

function isPatientSpace(geometry: unknown): boolean {
  return !!geometry && typeof geometry === 'object' && 'viewPlaneNormal' in geometry;
}

function outline(kind: 'line' | 'box', points: Array<[number, number]>): Array<[number, number]> | undefined {
  if (kind === 'line') return points.length === 2 ? points : undefined;
  if (points.length === 4) {
    const [a, b, c, d] = points as [[number, number], [number, number], [number, number], [number, number]];
    return [a, b, d, c];
  }
  if (points.length === 2) {
    // A v1.4.1 box: two diagonal corners.
    const [[x1, y1], [x2, y2]] = points as [[number, number], [number, number]];
    return [
      [x1, y1],
      [x2, y1],
      [x2, y2],
      [x1, y2],
    ];
  }
  return undefined;
}

/**
 * The outline of a line or box annotation on `frame`, or why it is not drawn there. Patient-space
 * geometry needs the resource's DICOM geometry; it belongs to the frame nearest to its first point.
 */
export function shapeOnFrame(
  annotation: GeometryAnnotation,
  frame: number,
  dicomGeometry: ImageGeometry | undefined,
): PixelShape | ShapeSkip {
  const kind = annotation.type === 'line' ? 'line' : annotation.type === 'square' ? 'box' : undefined;
  if (!kind) return 'no-geometry';
  const points = pointsOf(annotation.geometry);
  if (!points) return annotation.geometry == null ? 'no-geometry' : 'malformed';
  let pixels: Array<[number, number]>;
  let onFrame: number;
  if (isPatientSpace(annotation.geometry)) {
    if (!dicomGeometry) return 'needs-dicom-geometry';
    const located = points.map((p) => patientToPixel(dicomGeometry, p));
    onFrame = located[0]?.frame ?? 0;
    pixels = located.map((l) => [l.x, l.y]);
  } else {
    const z = points[0]?.[2];
    onFrame = annotation.frame_index ?? (Number.isFinite(z) ? Math.round(z as number) : 0);
    pixels = points.map((p) => [p[0], p[1]]);
  }
  if (onFrame !== frame) return 'other-frame';
  const shape = outline(kind, pixels);
  return shape ? { kind, label: annotation.identifier, points: shape } : 'malformed';
}
