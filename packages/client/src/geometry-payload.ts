import {
  AnnotationGeometryError,
  annotationGeometry,
  type CoordinateSystem,
  type DicomDataset,
  DicomError,
  geometryOf,
  type ImageSpace,
  type NiftiGeometryHeader,
} from '@datamint/dicom';
import { requireString } from './context';
import { ValidationError } from './errors';

/**
 * What is known about the image an annotation is drawn on: a DICOM header, a NIfTI resource's
 * `metadata` (as the server returns it), or a 2-D image without patient geometry.
 */
export type AnnotationImage =
  | { kind: 'dicom'; header: DicomDataset }
  | { kind: 'nifti'; metadata: Readonly<Record<string, unknown>> }
  | { kind: 'image' };

/** A line or box annotation to send to the current platform API. */
export interface GeometryAnnotationRequest {
  shape: 'line' | 'box';
  identifier: string;
  /** A line's ends or a box's opposite corners: pixel `[x, y]`, or patient `[X, Y, Z]` in mm. */
  points: readonly [readonly number[], readonly number[]];
  /** Default `pixel`. */
  coordsSystem?: CoordinateSystem;
  frameIndex?: number;
  /** The image; pixel points of DICOM and NIfTI images are converted to patient millimetres. */
  image?: AnnotationImage;
  worklistId?: string;
  importedFrom?: string;
  importAuthor?: string;
  modelId?: string;
  /** Default `imported`. */
  source?: string;
}

function numbers(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (value as number[])
    : undefined;
}

/**
 * The geometry part of a NIfTI resource's `metadata`: `dims` (or `dim`) = `[ndim, n1, n2, …]` and
 * `affine` (4 × 4; identity when absent, as the platform assumes).
 */
export function niftiHeaderFromMetadata(metadata: Readonly<Record<string, unknown>>): NiftiGeometryHeader {
  const dims = numbers(metadata.dims) ?? numbers(metadata.dim);
  if (!dims) {
    throw new ValidationError(
      'metadata.dims',
      metadata.dims ?? metadata.dim,
      'the NIfTI dim field [ndim, n1, n2, …]',
    );
  }
  const affine = metadata.affine;
  if (affine === undefined || affine === null) return { dims };
  if (!Array.isArray(affine) || affine.length < 3 || !affine.every((row) => numbers(row)?.length === 4)) {
    throw new ValidationError('metadata.affine', affine, 'a 4 × 4 matrix of numbers');
  }
  return { dims, affine: affine as number[][] };
}

/** The patient geometry of an image, or `undefined` for a 2-D image. */
export function imageSpaceOf(image: AnnotationImage | undefined): ImageSpace | undefined {
  if (!image || image.kind === 'image') return undefined;
  if (image.kind === 'nifti') return { kind: 'nifti', header: niftiHeaderFromMetadata(image.metadata) };
  try {
    return { kind: 'dicom', geometry: geometryOf(image.header) };
  } catch (error) {
    if (error instanceof DicomError) {
      throw new ValidationError(
        'metadata',
        '(DICOM header)',
        `a DICOM image with patient geometry (${error.message})`,
      );
    }
    throw error;
  }
}

/**
 * The exact JSON element the current platform API expects for a line or box (one item of the
 * annotations array). Pixel points of DICOM and NIfTI images are converted to patient space with
 * view vectors — the platform's reference helpers silently skip that and send pixels instead.
 * Scope follows the platform: a patient-space line is `image`-scoped without a frame index, a pixel
 * line `frame`-scoped (even without a frame index), a box `frame`-scoped exactly when a frame is given.
 */
export function geometryAnnotationPayload(request: GeometryAnnotationRequest): Record<string, unknown> {
  requireString(request.identifier, 'identifier');
  let built: ReturnType<typeof annotationGeometry>;
  try {
    built = annotationGeometry({
      shape: request.shape,
      points: request.points,
      coordsSystem: request.coordsSystem ?? 'pixel',
      ...(request.frameIndex !== undefined ? { frameIndex: request.frameIndex } : {}),
      ...(request.image ? { space: imageSpaceOf(request.image) } : {}),
    });
  } catch (error) {
    if (error instanceof AnnotationGeometryError) {
      const value = /^point[12]$/.test(error.field)
        ? request.points[Number(error.field.slice(5)) - 1]
        : error.field === 'frameIndex'
          ? request.frameIndex
          : request.coordsSystem;
      throw new ValidationError(error.field, value, error.message.replace(/^[^:]*: /, ''));
    }
    throw error;
  }
  const frameScoped =
    request.shape === 'box' ? request.frameIndex !== undefined : built.coordinateSystem === 'pixel';
  const item: Record<string, unknown> = {
    type: request.shape === 'box' ? 'square' : 'line',
    identifier: request.identifier,
    scope: frameScoped ? 'frame' : 'image',
  };
  if (frameScoped && request.frameIndex !== undefined) item.frame_index = request.frameIndex;
  item.geometry = built.geometry;
  if (request.worklistId !== undefined) item.annotation_worklist_id = request.worklistId;
  if (request.importedFrom !== undefined) item.imported_from = request.importedFrom;
  if (request.importAuthor !== undefined) item.import_author = request.importAuthor;
  if (request.modelId !== undefined) {
    item.is_model = true;
    item.model_id = request.modelId;
  }
  item.source = request.source ?? 'imported';
  return item;
}
