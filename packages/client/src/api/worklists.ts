import { type CallOptions, callOpts, createOnce, type HandlerContext, relabelNotFound } from '../context';
import { ValidationError } from '../errors';
import { WorklistEntity } from './entities/worklist';
import { entityId, idOf } from './ids';
import { pageItems } from './pages';

/** A worklist given by id or as the entity. */
export type WorklistRef = string | WorklistEntity;

/** Options of `api.annotationWorklists.create`; unset ones are not sent. */
export interface CreateWorklistOptions extends CallOptions {
  /** Free text shown with the worklist. */
  description?: string;
  /** Label specs: `{ type, identifier, required, scope, values? }` (`values` for categories). */
  annotations?: readonly Record<string, unknown>[];
  /** Who annotates: `{ email, expertise_level? }`. */
  annotators?: readonly {
    /** The annotator's e-mail. */
    email: string;
    /** How experienced the annotator is. */
    expertise_level?: 'learner' | 'trained' | 'expert';
  }[];
  /** Frame label names. */
  frameLabels?: readonly string[];
  /** Image label names. */
  imageLabels?: readonly string[];
  /** `{ segmentationValueType, definitions }`. */
  segmentationData?: Record<string, unknown>;
  /** The project the worklist belongs to (id or entity). */
  project?:
    | string
    | {
        /** The project's id. */
        readonly id: string;
      };
}

/**
 * `api.annotationWorklists` (alias `api.annotationSets`): annotation worklists.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const resources = await api.resources.getList({ status: 'inbox', limit: 10 }).toArray();
 * const worklist = await api.annotationWorklists.create('Review', resources, { imageLabels: ['ok', 'redo'] });
 * await api.annotationWorklists.patch(worklist, { name: 'Review (round 2)' });
 * await api.close();
 * ```
 */
export class AnnotationWorklistsApi {
  readonly #context: () => Promise<HandlerContext>;

  /** @internal Built by `Api`. */
  constructor(context: () => Promise<HandlerContext>) {
    this.#context = context;
  }

  /** Creates a worklist over the given resources. */
  async create(
    name: string,
    resources: readonly (string | { readonly id: string })[],
    options: CreateWorklistOptions = {},
  ): Promise<WorklistEntity> {
    if (typeof name !== 'string' || name.trim() === '')
      throw new ValidationError('name', name, 'a non-empty string');
    const json: Record<string, unknown> = {
      name,
      resource_ids: resources.map((r, i) => idOf(r, `resources[${i}]`)),
    };
    if (options.description !== undefined) json.description = options.description;
    if (options.annotations !== undefined) json.annotations = [...options.annotations];
    if (options.annotators !== undefined) json.annotators = [...options.annotators];
    if (options.frameLabels !== undefined) json.frame_labels = [...options.frameLabels];
    if (options.imageLabels !== undefined) json.image_labels = [...options.imageLabels];
    if (options.segmentationData !== undefined) json.segmentation_data = options.segmentationData;
    if (options.project !== undefined) json.project_id = idOf(options.project, 'project');
    const ctx = await this.#context();
    const body = await ctx.http.request<Record<string, unknown>>({
      method: 'POST',
      path: 'annotationsets',
      json,
      ...createOnce(),
      ...callOpts(options),
    });
    // Some platform versions answer only `{ id }`: fetch the whole worklist then.
    if (body && typeof body === 'object' && !('name' in body) && typeof body.id === 'string') {
      return this.getById(body.id, options);
    }
    return new WorklistEntity(body);
  }

  /** One worklist; an unknown id is `ResourceNotFoundError('annotation worklist', {id})`. */
  async getById(worklistId: string, options?: CallOptions): Promise<WorklistEntity> {
    const id = entityId(worklistId, 'worklistId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `annotationsets/${id}`, ...callOpts(options) }),
      'annotation worklist',
      { id },
    );
    return new WorklistEntity(body);
  }

  /** Changes fields of a worklist (`{ name }`, `{ status }`, `{ annotations }`...). */
  async patch(worklist: WorklistRef, changes: Record<string, unknown>, options?: CallOptions): Promise<void> {
    const id = idOf(worklist, 'worklist');
    if (!changes || typeof changes !== 'object' || Object.keys(changes).length === 0) {
      throw new ValidationError('changes', changes, 'an object with at least one field');
    }
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'PATCH',
          path: `annotationsets/${id}`,
          json: changes,
          retrySafe: true,
          ...callOpts(options),
        }),
      'annotation worklist',
      { id },
    );
  }

  /** The worklists of a project (the platform's `worklist_id`/`worklist_name` read as `id`/`name`). */
  async getByProject(
    project: string | { readonly id: string },
    options?: CallOptions,
  ): Promise<WorklistEntity[]> {
    const id = idOf(project, 'project');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `projects/${id}/worklists`, ...callOpts(options) }),
      'project',
      { id },
    );
    return pageItems(body, 'worklists', `GET /projects/${id}/worklists`).map((item) => {
      const raw = { ...(item as Record<string, unknown>) };
      if (!('id' in raw) && 'worklist_id' in raw) raw.id = raw.worklist_id;
      if (!('name' in raw) && 'worklist_name' in raw) raw.name = raw.worklist_name;
      return new WorklistEntity(raw);
    });
  }
}
