import { AnnotationGeometryError, parseBoxGeometry, parseLineGeometry } from '@datamint/dicom';
import { BadRequestError } from './errors';
import type { JsonValue } from './repos/json';

/**
 * Checks the `geometry` of an annotation being created and returns it as stored (the JSON text, as
 * sent). Lines need 2 points of 2 or 3 numbers (a `null` third number is a 1.x pixel line without
 * a frame); boxes (`square`) 4 corners of 3 numbers or the 2 opposite corners 1.x clients send;
 * view vectors come in pairs of 3 numbers. Other types only need an object. `null`/absent: none.
 */
export function storedGeometry(type: string, geometry: unknown, where: string): string | null {
  if (geometry === undefined || geometry === null) return null;
  if (typeof geometry !== 'object' || Array.isArray(geometry)) {
    throw new BadRequestError(`${where}.geometry must be an object such as {"points": [[x, y, z], ...]}`);
  }
  try {
    if (type === 'line') parseLineGeometry(geometry, `${where}.geometry`);
    else if (type === 'square') parseBoxGeometry(geometry, `${where}.geometry`);
  } catch (error) {
    if (error instanceof AnnotationGeometryError) throw new BadRequestError(error.message);
    throw error;
  }
  return JSON.stringify(geometry);
}

/**
 * A stored geometry as the current platform's clients read it: they accept boxes with exactly 4
 * corners, so the 2 opposite corners stored from a 1.x client are expanded (along the pixel axes, or
 * the view vectors when present). Everything else is answered as stored.
 */
export function geometryForCurrentReaders(type: string, geometry: JsonValue): JsonValue {
  if (type !== 'square' || geometry === null || typeof geometry !== 'object' || Array.isArray(geometry)) {
    return geometry;
  }
  const points = geometry.points;
  if (!Array.isArray(points) || points.length !== 2) return geometry;
  try {
    return { ...geometry, points: parseBoxGeometry(geometry).points };
  } catch {
    // Stored before geometry was validated and not a readable box: the platform omits it then.
    return null;
  }
}
