import { DicomDataset, DicomError, parseDicom } from '@datamint/dicom';
import type { CallOptions } from '../context';
import { ValidationError } from '../errors';
import type { AnnotationImage } from '../geometry-payload';
import { ResourceEntity } from './entities/resource';
import { idOf } from './ids';
import type { ResourceRef, ResourcesApi } from './resources';

/** What `addLineAnnotation`/`addBoxAnnotation` accept as the image's geometry instead of fetching it. */
export type AnnotationMetadata = DicomDataset | Readonly<Record<string, unknown>>;

/**
 * The geometry of the resources lines and boxes are drawn on, fetched once per resource: the
 * resource (for its kind and, for NIfTI, its `metadata`), and for DICOM the file's header.
 */
export class AnnotationImages {
  readonly #resources: ResourcesApi;
  readonly #byId = new Map<string, Promise<AnnotationImage>>();

  constructor(resources: ResourcesApi) {
    this.#resources = resources;
  }

  /** The given metadata as an image (a DICOM header, else a NIfTI resource's metadata). */
  static fromMetadata(metadata: AnnotationMetadata): AnnotationImage {
    if (metadata instanceof DicomDataset) return { kind: 'dicom', header: metadata };
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new ValidationError(
        'metadata',
        metadata,
        'a parsed DICOM header or a NIfTI resource metadata object',
      );
    }
    return { kind: 'nifti', metadata };
  }

  /** The resource's image geometry; a failed fetch is not cached. */
  imageOf(resource: ResourceRef, options?: CallOptions): Promise<AnnotationImage> {
    const id = idOf(resource, 'resource');
    let pending = this.#byId.get(id);
    if (!pending) {
      pending = this.#fetch(resource, id, options);
      pending.catch(() => this.#byId.delete(id));
      this.#byId.set(id, pending);
    }
    return pending;
  }

  async #fetch(resource: ResourceRef, id: string, options?: CallOptions): Promise<AnnotationImage> {
    const entity = resource instanceof ResourceEntity ? resource : await this.#resources.getById(id, options);
    const kind = entity.kind;
    // Only DICOM and NIfTI carry patient geometry; everything else is annotated in pixels.
    if (kind === 'nifti') return { kind, metadata: entity.metadata };
    if (kind !== 'dicom') return { kind: 'image' };
    const bytes = await this.#resources.downloadResourceFile(entity, options);
    try {
      return { kind, header: parseDicom(bytes, { headerOnly: true, fileName: `resource ${id}` }) };
    } catch (error) {
      if (error instanceof DicomError) {
        throw new ValidationError('resource', id, `a readable DICOM file (${error.message})`);
      }
      throw error;
    }
  }
}
