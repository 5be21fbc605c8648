import { Entity } from '../entity';

/** An annotator of a worklist. */
export interface WorklistAnnotator {
  /** The annotator's e-mail. */
  email: string;
  /** `active`, ... */
  status?: string;
  /** `learner`, `trained` or `expert`. */
  expertise_level?: string;
}

/** An annotation worklist (annotation set): resources, the labels to draw and who annotates. Unknown fields are kept. */
export class WorklistEntity extends Entity {
  /** Builds a worklist from the server's JSON (`id`, `name`, `annotators` required). */
  constructor(data: unknown) {
    super(data, 'an annotation worklist', ['id', 'name', 'annotators']);
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
  /** The resources of the worklist (empty when the server did not list them). */
  get resourceIds(): string[] {
    const ids = this.get('resource_ids');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }
}
