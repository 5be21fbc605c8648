import type { CallOptions } from '../../context';
import { type EntityRefetch, LinkedEntity } from '../entity';

/** An annotator of a worklist. */
export interface WorklistAnnotator {
  /** The annotator's e-mail. */
  email: string;
  /** `active`, ... */
  status?: string;
  /** `learner`, `trained` or `expert`. */
  expertise_level?: string;
}

/** One label a worklist asks annotators to draw or choose, as the platform describes it. */
export interface WorklistAnnotationSpec {
  /** `segmentation`, `category`, `label`, `line`, ... */
  type: string;
  /** The label's name. */
  identifier: string;
  /** `image` or `frame`. */
  scope?: string;
  /** Whether every resource must carry it. */
  required?: boolean;
  /** The choices of a `category`. */
  values?: string[];
  /** Other fields the platform sends. */
  [key: string]: unknown;
}

/**
 * An annotation worklist (annotation set): resources, the labels to draw and who annotates.
 * Unknown fields are kept. Listings may leave out `resource_ids`, `annotations`, `created_by` and
 * `created_at` (the platform's client treats them as sometimes missing): the `fetch…` methods read
 * them with one `GET /annotationsets/{id}` when this object lacks them.
 */
export class WorklistEntity extends LinkedEntity {
  /**
   * Builds a worklist from the server's JSON (`id`, `name`, `annotators` required). Without
   * `links` (built from bare JSON) it cannot read itself again.
   */
  constructor(data: unknown, links?: EntityRefetch) {
    super(data, 'an annotation worklist', ['id', 'name', 'annotators'], 'WorklistEntity', links);
  }
  /** The server's `id` field. */
  get id(): string {
    return this.string('id');
  }
  /** The server's `name` field. */
  get name(): string {
    return this.string('name');
  }
  /** `new` when the server does not say. */
  get status(): string {
    return this.optionalString('status') ?? 'new';
  }
  /** The server's `description` field. */
  get description(): string | null {
    return this.optionalString('description');
  }
  /** Who annotates, and their status. */
  get annotators(): WorklistAnnotator[] {
    const annotators = this.get('annotators');
    return Array.isArray(annotators) ? (annotators as WorklistAnnotator[]) : [];
  }
  /** The resources of the worklist (empty when the listing left them out: see {@link fetchResourceIds}). */
  get resourceIds(): string[] {
    return stringsOf(this.get('resource_ids'));
  }
  /** The labels to annotate (empty when the listing left them out: see {@link fetchAnnotationSpecs}). */
  get annotationSpecs(): WorklistAnnotationSpec[] {
    return specsOf(this.get('annotations'));
  }
  /** The server's `created_by` field, or `null` when this object lacks it. */
  get createdBy(): string | null {
    return this.optionalString('created_by');
  }
  /** The server's `created_at` field, or `null` when this object lacks it. */
  get createdAt(): string | null {
    return this.optionalString('created_at');
  }
  /** The resources of the worklist, fetched when the listing that built this object left them out. */
  async fetchResourceIds(options?: CallOptions): Promise<string[]> {
    return stringsOf(await this.fetchField('resource_ids', options));
  }
  /** The labels to annotate, fetched when the listing that built this object left them out. */
  async fetchAnnotationSpecs(options?: CallOptions): Promise<WorklistAnnotationSpec[]> {
    return specsOf(await this.fetchField('annotations', options));
  }
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function specsOf(value: unknown): WorklistAnnotationSpec[] {
  return Array.isArray(value)
    ? value
        .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))
        .map((v) => ({ ...v }) as WorklistAnnotationSpec)
    : [];
}
