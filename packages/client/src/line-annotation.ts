import { readFile } from 'node:fs/promises';
import {
  DicomDataset,
  DicomError,
  geometryOf,
  type ImageGeometry,
  parseDicom,
  patientToPixel,
  type Vec3,
} from '@datamint/dicom';
import {
  type AnnotationTargetOptions,
  checkFrameIndex,
  createAnnotations,
  resolveWorklist,
} from './annotations';
import { type HandlerContext, requireString } from './context';
import { fetchResourceFile } from './download';
import { ValidationError } from './errors';

export type Point2 = readonly [number, number];

export interface AddLineAnnotationOptions extends AnnotationTargetOptions {
  /** Frame of the line; with patient coordinates, default: the frame nearest to the points. */
  frameIndex?: number;
  /** `pixel` (default): `[x, y]` with x the column. `patient`: `[X, Y, Z]` in mm, converted to pixels. */
  coordsSystem?: 'pixel' | 'patient';
  /**
   * Geometry for patient coordinates: a parsed DICOM, its bytes or a path. Default: the resource's
   * own file is downloaded.
   */
  dicomMetadata?: DicomDataset | Uint8Array | string;
  /** Largest accepted distance (mm) of a point from the frame plane; default half the frame spacing, or 1 mm. */
  maxPlaneDistance?: number;
  modelId?: string;
}

function checkPoint(value: unknown, field: string, size: 2 | 3): number[] {
  if (
    !Array.isArray(value) ||
    value.length !== size ||
    value.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    throw new ValidationError(
      field,
      value,
      `${size} finite numbers (${size === 2 ? '[x, y]' : '[X, Y, Z] in mm'})`,
    );
  }
  return value as number[];
}

async function geometryFor(
  ctx: HandlerContext,
  resourceId: string,
  metadata: AddLineAnnotationOptions['dicomMetadata'],
  options: AddLineAnnotationOptions,
): Promise<ImageGeometry> {
  let dataset: DicomDataset;
  try {
    if (metadata instanceof DicomDataset) dataset = metadata;
    else if (metadata instanceof Uint8Array) dataset = parseDicom(metadata, { headerOnly: true });
    else if (typeof metadata === 'string') {
      const bytes = await readFile(metadata).catch((error: Error) => {
        throw new ValidationError('dicomMetadata', metadata, `a readable DICOM file (${error.message})`);
      });
      dataset = parseDicom(new Uint8Array(bytes), {
        headerOnly: true,
        fileName: metadata,
      });
    } else {
      const bytes = await fetchResourceFile(ctx, resourceId, options);
      dataset = parseDicom(bytes, { headerOnly: true, fileName: `resource ${resourceId}` });
    }
    return geometryOf(dataset);
  } catch (error) {
    if (error instanceof DicomError) {
      throw new ValidationError(
        'dicomMetadata',
        typeof metadata === 'string' ? metadata : resourceId,
        `a DICOM image with patient geometry (${error.message})`,
      );
    }
    throw error;
  }
}

function planeTolerance(geometry: ImageGeometry): number {
  const [a, b] = geometry.frames;
  if (!a || !b) return 1;
  const gap = Math.abs(
    (b.position[0] - a.position[0]) * a.normal[0] +
      (b.position[1] - a.position[1]) * a.normal[1] +
      (b.position[2] - a.position[2]) * a.normal[2],
  );
  return gap > 0 ? gap / 2 : 1;
}

/** Pixel coordinates keep full precision but drop float noise such as 9.999999999998. */
const clean = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * A line annotation. Points are stored as pixel coordinates `[x, y, frame]`; patient coordinates are
 * converted with the image geometry (http-api.md §5.9 sends them unconverted and unmarked).
 */
export async function addLineAnnotation(
  ctx: HandlerContext,
  point1: readonly number[],
  point2: readonly number[],
  resourceId: string,
  identifier: string,
  options: AddLineAnnotationOptions = {},
): Promise<string[]> {
  requireString(resourceId, 'resourceId');
  requireString(identifier, 'identifier');
  const system = options.coordsSystem ?? 'pixel';
  if (system !== 'pixel' && system !== 'patient') {
    throw new ValidationError('coordsSystem', system, '"pixel" or "patient"');
  }
  let frame =
    options.frameIndex === undefined ? undefined : checkFrameIndex(options.frameIndex, 'frameIndex');
  let points: (number | null)[][];
  if (system === 'pixel') {
    const p1 = checkPoint(point1, 'point1', 2);
    const p2 = checkPoint(point2, 'point2', 2);
    points = [p1, p2].map(([x, y]) => [x!, y!, frame ?? null]);
  } else {
    const p1 = checkPoint(point1, 'point1', 3) as unknown as Vec3;
    const p2 = checkPoint(point2, 'point2', 3) as unknown as Vec3;
    const geometry = await geometryFor(ctx, resourceId, options.dicomMetadata, options);
    const tolerance = options.maxPlaneDistance ?? planeTolerance(geometry);
    const located = [p1, p2].map((p, i) => {
      try {
        return patientToPixel(geometry, p, frame === undefined ? {} : { frame });
      } catch (error) {
        throw new ValidationError(
          i === 0 ? 'point1' : 'point2',
          p,
          `a point of the image (${(error as Error).message})`,
        );
      }
    });
    located.forEach((loc, i) => {
      if (Math.abs(loc.distance) > tolerance) {
        throw new ValidationError(
          i === 0 ? 'point1' : 'point2',
          [point1, point2][i],
          `a point within ${tolerance} mm of frame ${loc.frame} (it is ${Math.abs(loc.distance).toFixed(3)} mm away)`,
        );
      }
    });
    if (located[0]!.frame !== located[1]!.frame) {
      throw new ValidationError(
        'point2',
        point2,
        `a point on the same frame as point1 (frame ${located[0]!.frame}, not ${located[1]!.frame})`,
      );
    }
    frame = located[0]!.frame;
    points = located.map((loc) => [clean(loc.x), clean(loc.y), frame!]);
  }
  const worklistId = await resolveWorklist(ctx, options);
  // The annotation DTO drops null keys but always sends is_model (http-api.md §5.9).
  const item: Record<string, unknown> = { type: 'line', identifier, scope: 'frame' };
  if (frame !== undefined) item.frame_index = frame;
  if (worklistId !== null) item.annotation_worklist_id = worklistId;
  if (options.importedFrom !== undefined) item.imported_from = options.importedFrom;
  if (options.authorEmail !== undefined) item.import_author = options.authorEmail;
  item.geometry = { points };
  item.is_model = options.modelId !== undefined;
  if (options.modelId !== undefined) item.model_id = options.modelId;
  return createAnnotations(ctx, resourceId, [item], options);
}
