import {
  AnnotationGeometryError,
  type BoxGeometry,
  type ImageGeometry,
  type LineGeometry,
  parseBoxGeometry,
  parseLineGeometry,
  toPixel,
} from '@datamint/dicom';

// Lines and boxes as the platform stores them, turned into pixel outlines for one frame.
//
// The platform keeps geometry of DICOM and NIfTI resources in patient space (LPS millimetres) and
// marks it with `viewPlaneNormal`/`viewUp`; geometry without those vectors is in pixel coordinates
// `[x, y, frame]` (2D images, or clients that had no image geometry). Reading (and expanding 1.x
// 2-corner boxes) is @datamint/dicom's; a 4-point box lists its corners as
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

function outline(kind: 'line' | 'box', points: Array<[number, number]>): Array<[number, number]> {
  if (kind === 'line') return points;
  const [a, b, c, d] = points as [[number, number], [number, number], [number, number], [number, number]];
  return [a, b, d, c];
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
  if (annotation.geometry == null) return 'no-geometry';
  let parsed: LineGeometry | BoxGeometry;
  try {
    parsed = kind === 'line' ? parseLineGeometry(annotation.geometry) : parseBoxGeometry(annotation.geometry);
  } catch (error) {
    if (error instanceof AnnotationGeometryError) return 'malformed';
    throw error;
  }
  let onFrame: number;
  let pixels: Array<[number, number]>;
  if (parsed.viewUp !== undefined) {
    if (!dicomGeometry) return 'needs-dicom-geometry';
    const located = toPixel(parsed, { kind: 'dicom', geometry: dicomGeometry });
    onFrame = located[0]?.frame ?? 0;
    pixels = located.map((l) => [l.x, l.y]);
  } else {
    const z = parsed.points[0][2];
    onFrame = annotation.frame_index ?? (typeof z === 'number' ? Math.round(z) : 0);
    pixels = parsed.points.map((p) => [p[0] ?? 0, p[1] ?? 0]);
  }
  if (onFrame !== frame) return 'other-frame';
  return { kind, label: annotation.identifier, points: outline(kind, pixels) };
}
