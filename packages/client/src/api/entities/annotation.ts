import { ANNOTATION_TYPES, type AnnotationType } from '@datamint/core/internal';
import { UnexpectedResponseError } from '../../errors';
import { Entity } from '../entity';

/**
 * An annotation (label, category, number, line, box, segmentation...) as the platform lists it.
 * Both spellings the platform uses are read (`identifier`/`name`, `type`/`annotation_type`,
 * `frame_index`/`index`, `created_by`/`added_by`); unknown fields are kept. Unlike the Python
 * SDK, a frame-bound segmentation keeps its frame index.
 */
export class AnnotationEntity extends Entity {
  /** Builds an annotation from the server's JSON; a missing name or an unknown type is an `UnexpectedResponseError`. */
  constructor(data: unknown) {
    super(data, 'an annotation', []);
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
  /** A segmentation of a whole volume (it carries a class map). */
  isVolumeSegmentation(): boolean {
    const classMap = this.get('class_map');
    return this.isSegmentation() && classMap !== null && classMap !== undefined;
  }
}
