import { ResourceNotFoundError } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  createOnce,
  dataArray,
  getOne,
  type HandlerContext,
  pathSegment,
  relabelNotFound,
  requireString,
} from './context';
import { UnexpectedResponseError, ValidationError } from './errors';
import type { Dataset, Experiment, Project, User } from './types';

export async function getProjects(ctx: HandlerContext, options?: CallOptions): Promise<Project[]> {
  const body = await ctx.http.request({ method: 'GET', path: 'projects', ...callOpts(options) });
  return dataArray<Project>(body, 'GET /projects');
}

/**
 * The project whose name or id equals `nameOrId` (the Python look-up rule). Unlike Python, which
 * returns an `{error}` dict, a miss throws `ResourceNotFoundError('project', {project_name})`.
 */
export async function resolveProject(
  ctx: HandlerContext,
  nameOrId: string,
  options?: CallOptions,
): Promise<Project> {
  requireString(nameOrId, 'project');
  const projects = await getProjects(ctx, options);
  const found =
    projects.find((p) => p.name === nameOrId) ?? projects.find((p) => p.id === nameOrId) ?? undefined;
  if (!found) throw new ResourceNotFoundError('project', { project_name: nameOrId });
  return found;
}

export async function getProjectById(
  ctx: HandlerContext,
  projectId: string,
  options?: CallOptions,
): Promise<Project> {
  requireString(projectId, 'projectId');
  return getOne<Project>(
    ctx,
    `projects/${pathSegment(projectId, 'projectId')}`,
    { resourceType: 'project', params: { project_id: projectId } },
    options,
  );
}

/** Options of `createProject`. */
export interface CreateProjectOptions extends CallOptions {
  /** Turn on the platform's active learning for the project (default false). */
  isActiveLearning?: boolean;
}

export async function createProject(
  ctx: HandlerContext,
  name: string,
  description: string,
  resourceIds: readonly string[],
  options?: CreateProjectOptions,
): Promise<Project> {
  requireString(name, 'name');
  if (typeof description !== 'string') throw new ValidationError('description', description, 'a string');
  if (!Array.isArray(resourceIds)) throw new ValidationError('resourceIds', resourceIds, 'an array of ids');
  resourceIds.forEach((id, i) => {
    requireString(id, `resourceIds[${i}]`);
  });
  const ids = [...resourceIds];
  // Exactly the body the Python SDK sends (http-api.md §4.3).
  const body = {
    name,
    is_active_learning: options?.isActiveLearning ?? false,
    resource_ids: ids,
    annotation_set: {
      annotators: [],
      resource_ids: ids,
      annotations: [],
      frame_labels: [],
      image_labels: [],
    },
    two_up_display: false,
    require_review: false,
    description,
  };
  // The only thing a creation can miss is one of the listed resources.
  const project = await relabelNotFound(
    () =>
      ctx.http.request<Project>({
        method: 'POST',
        path: 'projects',
        json: body,
        ...createOnce(),
        ...callOpts(options),
      }),
    'resource',
    { resource_ids: ids },
  );
  if (!project || typeof project !== 'object' || typeof project.id !== 'string') {
    throw new UnexpectedResponseError('POST /projects', project, 'the created project with an "id"');
  }
  return project;
}

export async function deleteProject(
  ctx: HandlerContext,
  projectId: string,
  options?: CallOptions,
): Promise<void> {
  requireString(projectId, 'projectId');
  await relabelNotFound(
    () =>
      ctx.http.request({
        method: 'DELETE',
        path: `projects/${pathSegment(projectId, 'projectId')}`,
        ...callOpts(options),
      }),
    'project',
    { project_id: projectId },
  );
}

export async function getDatasets(ctx: HandlerContext, options?: CallOptions): Promise<Dataset[]> {
  const body = await ctx.http.request({ method: 'GET', path: 'datasets', ...callOpts(options) });
  return dataArray<Dataset>(body, 'GET /datasets');
}

export async function getUsers(ctx: HandlerContext, options?: CallOptions): Promise<User[]> {
  const body = await ctx.http.request({ method: 'GET', path: 'users', ...callOpts(options) });
  if (Array.isArray(body)) return body as User[];
  return dataArray<User>(body, 'GET /users');
}

/** Options of `createUser`; unset ones are sent as `null`. */
export interface CreateUserOptions extends CallOptions {
  /** The initial password. */
  password?: string;
  /** First name. */
  firstname?: string;
  /** Last name. */
  lastname?: string;
  /** Role names; not an array: `ValidationError`. */
  roles?: string[];
}

export async function createUser(
  ctx: HandlerContext,
  email: string,
  options?: CreateUserOptions,
): Promise<User> {
  requireString(email, 'email');
  if (options?.roles !== undefined && !Array.isArray(options.roles)) {
    throw new ValidationError('roles', options.roles, 'an array of role names');
  }
  // All five keys, unset ones as null (http-api.md §4.19).
  const body = {
    email,
    password: options?.password ?? null,
    firstname: options?.firstname ?? null,
    lastname: options?.lastname ?? null,
    roles: options?.roles ?? null,
  };
  return ctx.http.request<User>({
    method: 'POST',
    path: 'users',
    json: body,
    ...createOnce(),
    ...callOpts(options),
  });
}

/** Python takes the project dict; an id string is accepted too. `null` when no experiment has that name. */
export async function getExperimentByName(
  ctx: HandlerContext,
  name: string,
  project: Pick<Project, 'id'> | string,
  options?: CallOptions,
): Promise<Experiment | null> {
  requireString(name, 'name');
  const projectId = typeof project === 'string' ? project : project?.id;
  requireString(projectId, 'project');
  const body = await getOne<unknown>(
    ctx,
    `projects/${pathSegment(projectId, 'project')}/experiments`,
    { resourceType: 'project', params: { project_id: projectId } },
    options,
  );
  const list = Array.isArray(body) ? (body as Experiment[]) : dataArray<Experiment>(body, 'GET experiments');
  return list.find((e) => e.name === name) ?? null;
}
