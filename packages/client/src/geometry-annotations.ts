import { readFile } from 'node:fs/promises';
import {
  DicomDataset,
  DicomError,
  geometryOf,
  type ImageGeometry,
  parseDicom,
  pixelToPatient,
} from '@datamint/dicom';
import {
  type AnnotationTargetOptions,
  checkFrameIndex,
  createAnnotations,
  resolveWorklist,
} from './annotations';
import { type HandlerContext, requireString } from './context';
import { ValidationError } from './errors';

/** Options of `addLineAnnotation` and `addBoxAnnotation`. */
export interface AddGeometryAnnotationOptions extends AnnotationTargetOptions {
  /** Zero-based frame of the annotation; sent as `frame_index` and as the third pixel coordinate. */
  frameIndex?: number;
  /**
   * `pixel` (default): points are `[x, y]`, x the column and y the row. `patient`: points are
   * `[X, Y, Z]` in millimetres (DICOM patient coordinates) and are sent exactly as given.
   */
  coordsSystem?: 'pixel' | 'patient';
  /**
   * With pixel points: the image's DICOM header (a parsed data set, its bytes or a file path). The
   * points are then converted to patient millimetres on frame `frameIndex` and sent that way, as
   * the platform stores lines of DICOM images. Ignored for patient points.
   */
  dicomMetadata?: DicomDataset | Uint8Array | string;
  /** Model that produced the annotation (`is_model` becomes true). */
  modelId?: string;
}

/** @deprecated Use {@link AddGeometryAnnotationOptions}; kept for the name of earlier releases. */
export type AddLineAnnotationOptions = AddGeometryAnnotationOptions;

function checkPoint(value: unknown, field: string, size: 2 | 3): number[] {
  if (
    !Array.isArray(value) ||
    value.length !== size ||
    value.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    throw new ValidationError(
      field,
      value,
      `${size} finite numbers (${size === 2 ? '[x, y] in pixels' : '[X, Y, Z] in mm'})`,
    );
  }
  return value as number[];
}

async function geometryFrom(metadata: DicomDataset | Uint8Array | string): Promise<ImageGeometry> {
  try {
    let dataset: DicomDataset;
    if (metadata instanceof DicomDataset) dataset = metadata;
    else if (metadata instanceof Uint8Array) dataset = parseDicom(metadata, { headerOnly: true });
    else if (typeof metadata === 'string') {
      const bytes = await readFile(metadata).catch((error: Error) => {
        throw new ValidationError('dicomMetadata', metadata, `a readable DICOM file (${error.message})`);
      });
      dataset = parseDicom(new Uint8Array(bytes), { headerOnly: true, fileName: metadata });
    } else {
      throw new ValidationError('dicomMetadata', metadata, 'a DICOM data set, its bytes or a file path');
    }
    return geometryOf(dataset);
  } catch (error) {
    if (error instanceof DicomError) {
      throw new ValidationError(
        'dicomMetadata',
        typeof metadata === 'string' ? metadata : '(DICOM header)',
        `a DICOM image with patient geometry (${error.message})`,
      );
    }
    throw error;
  }
}

/**
 * The points as the platform's 1.x clients send them: pixel `[x, y, frame]` (frame `null` when not
 * given), pixel points converted to patient millimetres when the DICOM header is given, patient
 * points unchanged.
 */
async function wirePoints(
  point1: readonly number[],
  point2: readonly number[],
  frame: number | undefined,
  options: AddGeometryAnnotationOptions,
): Promise<(number | null)[][]> {
  const system = options.coordsSystem ?? 'pixel';
  if (system !== 'pixel' && system !== 'patient') {
    throw new ValidationError('coordsSystem', system, '"pixel" or "patient"');
  }
  if (system === 'patient') {
    return [checkPoint(point1, 'point1', 3), checkPoint(point2, 'point2', 3)];
  }
  const pixels = [checkPoint(point1, 'point1', 2), checkPoint(point2, 'point2', 2)];
  if (options.dicomMetadata === undefined) return pixels.map(([x, y]) => [x!, y!, frame ?? null]);
  const geometry = await geometryFrom(options.dicomMetadata);
  if (frame === undefined && geometry.frames.length > 1) {
    throw new ValidationError(
      'frameIndex',
      frame,
      `a frame index (the image has ${geometry.frames.length} frames)`,
    );
  }
  if (frame !== undefined && frame >= geometry.frames.length) {
    throw new ValidationError(
      'frameIndex',
      frame,
      `a frame of the image (0 to ${geometry.frames.length - 1})`,
    );
  }
  // Standard PixelSpacing order (x steps by the column spacing); the 1.x SDK swapped the two.
  return pixels.map(([x, y]) => [...pixelToPatient(geometry, { x: x!, y: y!, frame: frame ?? 0 })]);
}

async function addGeometryAnnotation(
  ctx: HandlerContext,
  type: 'line' | 'square',
  point1: readonly number[],
  point2: readonly number[],
  resourceId: string,
  identifier: string,
  options: AddGeometryAnnotationOptions,
): Promise<string[]> {
  requireString(resourceId, 'resourceId');
  requireString(identifier, 'identifier');
  const frame =
    options.frameIndex === undefined ? undefined : checkFrameIndex(options.frameIndex, 'frameIndex');
  const points = await wirePoints(point1, point2, frame, options);
  const worklistId = await resolveWorklist(ctx, options);
  // The 1.x annotation DTO drops absent keys but always sends is_model; scope is always "frame".
  const item: Record<string, unknown> = { type, identifier, scope: 'frame' };
  if (frame !== undefined) item.frame_index = frame;
  if (worklistId !== null) item.annotation_worklist_id = worklistId;
  if (options.importedFrom !== undefined) item.imported_from = options.importedFrom;
  if (options.authorEmail !== undefined) item.import_author = options.authorEmail;
  item.geometry = { points };
  item.is_model = options.modelId !== undefined;
  if (options.modelId !== undefined) item.model_id = options.modelId;
  return createAnnotations(ctx, resourceId, [item], options);
}

/** A line annotation between two points (see {@link AddGeometryAnnotationOptions}). */
export function addLineAnnotation(
  ctx: HandlerContext,
  point1: readonly number[],
  point2: readonly number[],
  resourceId: string,
  identifier: string,
  options: AddGeometryAnnotationOptions = {},
): Promise<string[]> {
  return addGeometryAnnotation(ctx, 'line', point1, point2, resourceId, identifier, options);
}

/** A box (`square`) annotation from two opposite corners, sent as those 2 points. */
export function addBoxAnnotation(
  ctx: HandlerContext,
  corner1: readonly number[],
  corner2: readonly number[],
  resourceId: string,
  identifier: string,
  options: AddGeometryAnnotationOptions = {},
): Promise<string[]> {
  return addGeometryAnnotation(ctx, 'square', corner1, corner2, resourceId, identifier, options);
}
