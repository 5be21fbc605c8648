import { APIError, mapConcurrent, type Paginated } from '@datamint/core';
import {
  NOT_IN_INBOX_MESSAGE,
  pythonJsonDumps,
  RESOURCE_ORDER_FIELDS,
  RESOURCE_STATUSES,
} from '@datamint/core/internal';
import {
  type CallOptions,
  callOpts,
  dataArray,
  formatDay,
  getOne,
  type HandlerContext,
  idList,
  type ListOptions,
  listing,
  pathSegment,
  type Query,
  relabelNotFound,
} from './context';
import { UnexpectedResponseError, ValidationError } from './errors';
import { resolveProject } from './projects';
import type { Channel, Resource, ResourceFields, ResourceStatus } from './types';

// The values the server validates against, from the shared wire contract.
export { RESOURCE_ORDER_FIELDS as RESOURCE_FIELDS, RESOURCE_STATUSES };

/** Filters and order of `getResources`; every filter given must match. */
export interface GetResourcesOptions extends ListOptions {
  /** Only resources in this state; another value is a `ValidationError`. */
  status?: ResourceStatus;
  /** First day (inclusive) of `created_at`. */
  fromDate?: Date | string;
  /** Last day (inclusive) of `created_at`. */
  toDate?: Date | string;
  /** Resources having any of these tags. */
  tags?: string | readonly string[];
  /** @deprecated Use `tags` (accepted, with a warning). */
  labels?: string | readonly string[];
  /** Only this DICOM modality (`CT`, `MR`, ...). */
  modality?: string;
  /** Only this content type (`application/dicom`, `image/png`, ...). */
  mimetype?: string;
  /** Yield ids instead of resource objects. */
  returnIdsOnly?: boolean;
  /** The field to order by; another value is a `ValidationError`. */
  orderField?: ResourceFields;
  /** Ascending order (default: the server's). */
  orderAscending?: boolean;
  /** Only those uploaded through this channel. */
  channel?: string;
  /** Only this project's resources. */
  projectId?: string;
  /** Only the resources of the project with this name (looked up first; none: `ResourceNotFoundError`). */
  projectName?: string;
  /** Case-insensitive part of the file name. */
  filename?: string;
}

function unionFilter(items: readonly string[]): string {
  return pythonJsonDumps({ items: [...items], filterType: 'union' });
}

/** The query of E9 in the Python SDK's parameter order (http-api.md §4.9). */
export function resourcesQuery(options: GetResourcesOptions, warn: (m: string) => void): Query {
  if (options.status !== undefined && !RESOURCE_STATUSES.includes(options.status)) {
    throw new ValidationError('status', options.status, `one of ${RESOURCE_STATUSES.join(', ')}`);
  }
  if (options.orderField !== undefined && !RESOURCE_ORDER_FIELDS.includes(options.orderField)) {
    throw new ValidationError('orderField', options.orderField, `one of ${RESOURCE_ORDER_FIELDS.join(', ')}`);
  }
  let tags = options.tags;
  if (options.labels !== undefined) {
    warn('getResources: the "labels" option is deprecated, use "tags"');
    tags ??= options.labels;
  }
  const tagList = tags === undefined ? undefined : typeof tags === 'string' ? [tags] : [...tags];
  tagList?.forEach((t, i) => {
    if (typeof t !== 'string') throw new ValidationError(`tags[${i}]`, t, 'a string');
  });
  if (options.projectId !== undefined && options.projectName !== undefined) {
    warn('getResources: both projectId and projectName given; the server applies both filters');
  }
  return {
    from: formatDay(options.fromDate, 'fromDate'),
    to: formatDay(options.toDate, 'toDate'),
    status: options.status ?? '',
    modality: options.modality,
    mimetype: options.mimetype,
    ids: options.returnIdsOnly ?? false,
    order_field: options.orderField,
    order_by_asc: options.orderAscending,
    channel_name: options.channel,
    projectId: options.projectId,
    filename: options.filename,
    project: options.projectName === undefined ? undefined : unionFilter([options.projectName]),
    tags: tagList === undefined ? undefined : unionFilter(tagList),
  };
}

function resourcesOfPage(body: unknown): unknown[] {
  const data = dataArray<{ resources?: unknown }>(body, 'GET /resources');
  if (data.length === 0) return [];
  const resources = data[0]?.resources;
  if (!Array.isArray(resources)) {
    throw new UnexpectedResponseError('GET /resources', body, '{"data": [{"resources": [...]}]}');
  }
  return resources;
}

export function getResources(
  context: () => Promise<HandlerContext>,
  options: GetResourcesOptions,
  defaultPageSize: number,
  warn: (m: string) => void,
): Paginated<Resource | string> {
  const query = resourcesQuery(options, warn);
  return listing<Resource | string>(
    context,
    options,
    {
      path: 'resources',
      query,
      items: (body) => {
        const items = resourcesOfPage(body);
        // The server may answer `ids=True` with objects or with ids; the caller gets ids either way.
        if (options.returnIdsOnly) return items.map((r) => (typeof r === 'string' ? r : (r as Resource).id));
        return items as Resource[];
      },
    },
    defaultPageSize,
  );
}

export async function getResourceById(
  ctx: HandlerContext,
  resourceId: string,
  options?: CallOptions,
): Promise<Resource> {
  return getOne<Resource>(
    ctx,
    `resources/${pathSegment(resourceId, 'resourceId')}`,
    { resourceType: 'resource', params: { resource_id: resourceId } },
    options,
  );
}

export async function getResourcesByIds(
  ctx: HandlerContext,
  ids: readonly string[],
  options?: CallOptions,
): Promise<Resource[]> {
  return mapConcurrent(ids, ctx.concurrency, (id) => getResourceById(ctx, id, options), callOpts(options));
}

export async function deleteResources(
  ctx: HandlerContext,
  ids: string | readonly string[],
  options?: CallOptions,
): Promise<void> {
  const list = idList(ids, 'resourceIds');
  await mapConcurrent(
    list,
    ctx.concurrency,
    (id) =>
      relabelNotFound(
        () =>
          ctx.http.request({
            method: 'DELETE',
            path: `resources/${pathSegment(id, 'resourceIds')}`,
            ...callOpts(options),
          }),
        'resource',
        { resource_id: id },
      ),
    callOpts(options),
  );
}

export interface PublishOptions extends CallOptions {
  /** Name or id of a project to add the resources to (Python's `project_name`). */
  projectName?: string;
}

/** E15 for one id; a resource that is no longer in the inbox counts as published (http-api.md §8 #31). */
export async function publishOne(ctx: HandlerContext, id: string, options?: CallOptions): Promise<void> {
  try {
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `resources/${pathSegment(id, 'resourceIds')}/publish`,
          // Publishing twice changes nothing: safe to repeat.
          retrySafe: true,
          ...callOpts(options),
        }),
      'resource',
      { resource_id: id },
    );
  } catch (error) {
    if (
      error instanceof APIError &&
      error.status === 400 &&
      JSON.stringify(error.body).includes(NOT_IN_INBOX_MESSAGE)
    ) {
      return;
    }
    throw error;
  }
}

/** E17: adds resources to a dataset; the server ignores ids already present, so it may be repeated. */
export async function addToDataset(
  ctx: HandlerContext,
  datasetId: string,
  ids: readonly string[],
  options?: CallOptions,
): Promise<void> {
  await relabelNotFound(
    () =>
      ctx.http.request({
        method: 'POST',
        path: `datasets/${pathSegment(datasetId, 'dataset_id')}/resources`,
        json: { resource_ids_to_add: [...ids], all_files_selected: false },
        retrySafe: true,
        ...callOpts(options),
      }),
    'dataset',
    { dataset_id: datasetId },
  );
}

/**
 * Publishes, then adds to the project. Unlike Python, the project is resolved first, so an unknown
 * project publishes nothing.
 */
export async function publishResources(
  ctx: HandlerContext,
  ids: string | readonly string[],
  options?: PublishOptions,
): Promise<void> {
  const list = idList(ids, 'resourceIds');
  const project =
    options?.projectName !== undefined ? await resolveProject(ctx, options.projectName, options) : undefined;
  await mapConcurrent(list, ctx.concurrency, (id) => publishOne(ctx, id, options), callOpts(options));
  if (project && list.length > 0) await addToDataset(ctx, project.dataset_id, list, options);
}

export function getChannels(
  context: () => Promise<HandlerContext>,
  options: ListOptions | undefined,
  defaultPageSize: number,
): Paginated<Channel> {
  return listing<Channel>(
    context,
    options,
    {
      path: 'resources/channels',
      query: {},
      items: (body) => dataArray<Channel>(body, 'GET /resources/channels'),
    },
    defaultPageSize,
  );
}
