import { ANNOTATION_TYPES, type AnnotationType } from '@datamint/core/internal';
import {
  type BoxGeometry,
  type CoordinateSystem,
  type LineGeometry,
  parseBoxGeometry,
  parseLineGeometry,
} from '@datamint/dicom';
import type { CallOptions } from '../../context';
import { UnexpectedResponseError, ValidationError } from '../../errors';
import { geometryAnnotationPayload } from '../../geometry-payload';
import { AnnotationImages, type AnnotationMetadata } from '../annotation-images';
import type { AnnotationProvenance } from '../annotations';
import { type EntityRefetch, LinkedEntity } from '../entity';

/** What an `AnnotationEntity` asks of the annotations group (`refetch` is `api.annotations.getById`). */
export interface AnnotationLinks extends EntityRefetch {
  /** `api.annotations.downloadFile`. */
  fileBytes(annotation: AnnotationEntity, options?: CallOptions): Promise<Uint8Array>;
}

/**
 * An annotation (label, category, number, line, box, segmentation...) as the platform lists it.
 * Both spellings the platform uses are read (`identifier`/`name`, `type`/`annotation_type`,
 * `frame_index`/`index`, `created_by`/`added_by`); unknown fields are kept. Unlike the Python
 * SDK, a frame-bound segmentation keeps its frame index.
 */
export class AnnotationEntity extends LinkedEntity<AnnotationLinks> {
  /**
   * Builds an annotation from the server's JSON; a missing name or an unknown type is an
   * `UnexpectedResponseError`. Without `links` (built from bare JSON, or a new annotation to
   * create) the methods that need the server throw `DetachedEntityError`.
   */
  constructor(data: unknown, links?: AnnotationLinks) {
    super(data, 'an annotation', [], 'AnnotationEntity', links);
    if (typeof (this.get('identifier') ?? this.get('name')) !== 'string') {
      throw new UnexpectedResponseError('an annotation', data, 'an object with "identifier" or "name"');
    }
    const type = this.get('type') ?? this.get('annotation_type');
    if (typeof type !== 'string' || !(ANNOTATION_TYPES as readonly string[]).includes(type)) {
      throw new UnexpectedResponseError(
        'an annotation',
        data,
        `"type" one of ${ANNOTATION_TYPES.join(', ')}`,
      );
    }
  }

  /** The server's `id` field. */
  get id(): string {
    return this.string('id');
  }
  /** The label name. */
  get identifier(): string {
    return String(this.get('identifier') ?? this.get('name'));
  }
  /** The server's `type` field. */
  get type(): AnnotationType {
    return String(this.get('type') ?? this.get('annotation_type')) as AnnotationType;
  }
  /** `frame` when the annotation is bound to a frame, else `image` (when the server does not say). */
  get scope(): string {
    const scope = this.get('scope');
    if (typeof scope === 'string') return scope;
    return this.frameIndex === null ? 'image' : 'frame';
  }
  /** The frame, or `null` for image-wide annotations. */
  get frameIndex(): number | null {
    const index = this.get('frame_index') ?? this.get('index');
    return typeof index === 'number' ? index : null;
  }
  /** The server's `resource_id` field. */
  get resourceId(): string | null {
    return this.optionalString('resource_id');
  }
  /** The server's `status` field. */
  get status(): string | null {
    return this.optionalString('status');
  }
  /** The server's `created_by` field. */
  get createdBy(): string | null {
    return this.optionalString('created_by') ?? this.optionalString('added_by');
  }
  /** A category's value (`value` or `text_value`). */
  get textValue(): string | null {
    return this.optionalString('text_value') ?? this.optionalString('value');
  }
  /** The number of an `integer`/`float` annotation. */
  get numericValue(): number | null {
    const value = this.get('numeric_value') ?? this.get('value');
    return typeof value === 'number'
      ? value
      : typeof value === 'string' &&
          value !== '' &&
          Number.isFinite(Number(value)) &&
          (this.type === 'integer' || this.type === 'float')
        ? Number(value)
        : null;
  }
  /** The geometry object of a line or box, or `null`. */
  get geometry(): Record<string, unknown> | null {
    const geometry = this.get('geometry');
    return geometry && typeof geometry === 'object' ? (geometry as Record<string, unknown>) : null;
  }
  /** True when this is a segmentation (mask). */
  isSegmentation(): boolean {
    return this.type === 'segmentation';
  }
  /**
   * The file attached to the annotation (a segmentation's mask, a volume's NIfTI) as bytes
   * (`GET /annotations/{resource_id}/annotations/{id}/file`).
   */
  fetchFileData(options?: CallOptions): Promise<Uint8Array> {
    return this.links('fetchFileData').fileBytes(this, options);
  }
  /** A segmentation of a whole volume (it carries a class map). */
  isVolumeSegmentation(): boolean {
    const classMap = this.get('class_map');
    return this.isSegmentation() && classMap !== null && classMap !== undefined;
  }
}

/** Options of {@link LineAnnotation.fromPoints} and {@link BoxAnnotation.fromPoints}. */
export interface GeometryFromPointsOptions extends AnnotationProvenance {
  /** The label name. */
  identifier: string;
  /** Zero-based frame (slice) of pixel points; required for multi-frame DICOM and NIfTI volumes. */
  frameIndex?: number;
  /** `pixel` (default): `[x, y]`, x the column. `patient`: `[X, Y, Z]` in mm (LPS). */
  coordsSystem?: CoordinateSystem;
  /**
   * The image's geometry: a parsed DICOM header, or a NIfTI resource's `metadata` (`dims`,
   * `affine`). With it, pixel points become patient millimetres with view vectors; without it
   * (2-D images) they stay pixels `[x, y, frameIndex ?? 0]`.
   */
  metadata?: AnnotationMetadata;
}

/** The platform's wire element of a line or box, as {@link geometryAnnotationPayload} builds it. */
function geometryElement(
  shape: 'line' | 'box',
  point1: readonly number[],
  point2: readonly number[],
  options: GeometryFromPointsOptions,
): Record<string, unknown> {
  if (!options || typeof options !== 'object') {
    throw new ValidationError('options', options, 'an object with an identifier');
  }
  return geometryAnnotationPayload({
    shape,
    identifier: options.identifier,
    points: [point1, point2],
    ...(options.coordsSystem !== undefined ? { coordsSystem: options.coordsSystem } : {}),
    ...(options.frameIndex !== undefined ? { frameIndex: options.frameIndex } : {}),
    ...(options.metadata !== undefined ? { image: AnnotationImages.fromMetadata(options.metadata) } : {}),
    ...(options.worklistId !== undefined ? { worklistId: options.worklistId } : {}),
    ...(options.importedFrom !== undefined ? { importedFrom: options.importedFrom } : {}),
    ...(options.authorEmail !== undefined ? { importAuthor: options.authorEmail } : {}),
    ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
    ...(options.source !== undefined ? { source: options.source } : {}),
  });
}

/**
 * A line annotation. Read back from the server, its geometry is parsed on demand
 * ({@link LineAnnotation.lineGeometry}); built with {@link LineAnnotation.fromPoints}, it is a new
 * annotation (no `id` yet) to post with `api.annotations.create(resource, line)`.
 */
export class LineAnnotation extends AnnotationEntity {
  /**
   * A new line from two points. Pixel points on a DICOM or NIfTI image (`metadata` given) are
   * converted to patient millimetres (LPS) with the view vectors and the line is `image`-scoped;
   * pixel points without metadata stay pixels and the line is `frame`-scoped. Bad points, frame or
   * metadata throw a `ValidationError` naming the field.
   */
  static fromPoints(
    point1: readonly number[],
    point2: readonly number[],
    options: GeometryFromPointsOptions,
  ): LineAnnotation {
    return new LineAnnotation(geometryElement('line', point1, point2, options));
  }

  /** The typed geometry (2 points, view vectors when in patient space), or `null` when the server sent none. */
  get lineGeometry(): LineGeometry | null {
    const geometry = this.get('geometry');
    return geometry === null || geometry === undefined ? null : parseLineGeometry(geometry);
  }
}

/**
 * A box (`square`) annotation, always with its 4 corners. Built with {@link BoxAnnotation.fromPoints}
 * from two opposite corners, or read back from the server (older 2-corner boxes are expanded).
 */
export class BoxAnnotation extends AnnotationEntity {
  /**
   * A new box from two opposite corners, sent as its 4 corners (along the image axes given by the
   * view vectors in patient space). `frame`-scoped exactly when `frameIndex` is given. Coordinates
   * as in {@link LineAnnotation.fromPoints}.
   */
  static fromPoints(
    corner1: readonly number[],
    corner2: readonly number[],
    options: GeometryFromPointsOptions,
  ): BoxAnnotation {
    return new BoxAnnotation(geometryElement('box', corner1, corner2, options));
  }

  /** The typed geometry (4 corners), or `null` when the server sent none. */
  get boxGeometry(): BoxGeometry | null {
    const geometry = this.get('geometry');
    return geometry === null || geometry === undefined ? null : parseBoxGeometry(geometry);
  }
}

/**
 * A segmentation: a frame's mask (`frameIndex` kept, unlike the Python SDK which drops it) or a
 * whole volume's label map (it carries a `class_map`). The mask bytes come from `api.annotations.downloadFile`.
 */
export class SegmentationAnnotation extends AnnotationEntity {
  /** The label values of a volume segmentation (`{"1": "liver"}`), or `null` for a frame mask. */
  get classMap(): Record<string, string> | null {
    const map = this.get('class_map');
    return map && typeof map === 'object' && !Array.isArray(map) ? (map as Record<string, string>) : null;
  }
}

/**
 * The entity of an annotation the server returned: a {@link LineAnnotation}, {@link BoxAnnotation}
 * or {@link SegmentationAnnotation} for those types, else an {@link AnnotationEntity}.
 */
export function annotationEntity(data: unknown, links?: AnnotationLinks): AnnotationEntity {
  const plain = new AnnotationEntity(data, links);
  switch (plain.type) {
    case 'line':
      return new LineAnnotation(data, links);
    case 'square':
      return new BoxAnnotation(data, links);
    case 'segmentation':
      return new SegmentationAnnotation(data, links);
    default:
      return plain;
  }
}
