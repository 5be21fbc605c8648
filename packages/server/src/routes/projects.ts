import type { FastifyInstance } from 'fastify';
import { streamAnnotatedDataset } from '../annotated-dataset';
import type { AppContext } from '../context';
import { ConflictError, NotFoundError } from '../errors';
import { bodyFingerprint, idempotencyKeyOf, oncePerKey } from '../idempotency';
import { requireId } from '../ids';
import { queryBoolean, queryPage, type RawQuery } from '../query';
import { addToDataset, createDataset } from '../repos/datasets';
import { listExperiments } from '../repos/experiments';
import type { JsonObject, JsonValue } from '../repos/json';
import {
  deleteProject,
  findProject,
  insertProject,
  listProjects,
  PROJECT_RESOURCE_STATUSES,
  patchProject,
  projectHasResource,
  projectJson,
  projectNameTaken,
  setProjectResourceStatus,
} from '../repos/projects';
import { findResource, listResources } from '../repos/resources';
import { createWorklist } from '../repos/worklists';
import { listOf, ok, projectSchema } from '../schemas/entities';
import { nowIso } from '../time';
import {
  oneOf,
  optionalArray,
  optionalBoolean,
  optionalString,
  optionalStringArray,
  requiredString,
  requireObject,
} from '../validate';

interface IdParams {
  project_id: string;
}

/** `PATCH /projects/:id`: any subset of the project's fields; unknown keys are kept on the project. */
const projectPatchBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: ['string', 'null'] },
    archived: { type: 'boolean' },
    pinned_metrics: { type: 'array' },
    is_active_learning: { type: 'boolean' },
    two_up_display: { type: 'boolean' },
    require_review: { type: 'boolean' },
  },
  additionalProperties: true,
};

export const LEGACY_PAGE_CAP = 4999;

export function projectRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  function projectOr404(customerId: string, rawId: string) {
    const project = findProject(db, customerId, requireId('Project', rawId));
    if (!project) throw new NotFoundError('Project');
    return project;
  }

  app.get('/projects', { schema: { response: ok(listOf(projectSchema)) } }, async (req) => {
    const query = req.query as RawQuery;
    const { items, total } = listProjects(db, req.principal.customerId, {
      // Archived projects are left out unless asked for, as the platform's web app does.
      includeArchived: queryBoolean(query, 'includeArchived') ?? false,
      page: queryPage(query),
    });
    return { data: items, totalCount: total };
  });

  app.post('/projects', { schema: { response: ok(projectSchema, 201) } }, async (req, reply) => {
    const body = requireObject(req.body, 'body');
    const customerId = req.principal.customerId;
    const name = requiredString(body, 'name', 'body');
    const description = optionalString(body, 'description', 'body');
    const resourceIds = optionalStringArray(body, 'resource_ids', 'body') ?? [];
    const set =
      body.annotation_set === undefined || body.annotation_set === null
        ? {}
        : requireObject(body.annotation_set, 'body.annotation_set');
    const annotators = optionalArray(set, 'annotators', 'body.annotation_set') ?? [];
    const setResourceIds = optionalStringArray(set, 'resource_ids', 'body.annotation_set') ?? [];
    const annotations = optionalArray(set, 'annotations', 'body.annotation_set') ?? [];
    const frameLabels = optionalStringArray(set, 'frame_labels', 'body.annotation_set') ?? [];
    const imageLabels = optionalStringArray(set, 'image_labels', 'body.annotation_set') ?? [];
    const flags = {
      is_active_learning: optionalBoolean(body, 'is_active_learning', 'body') ?? false,
      two_up_display: optionalBoolean(body, 'two_up_display', 'body') ?? false,
      require_review: optionalBoolean(body, 'require_review', 'body') ?? false,
    };
    const allIds = [...new Set([...resourceIds, ...setResourceIds])];
    for (const id of allIds) {
      if (!findResource(db, customerId, id.toLowerCase())) throw new NotFoundError('Resource', id);
    }
    const create = () => {
      if (projectNameTaken(db, customerId, name)) throw new ConflictError('Project name already exists');
      const at = nowIso();
      const by = req.principal.email;
      const datasetId = createDataset(db, { customerId, name, description, by, at });
      addToDataset(
        db,
        datasetId,
        resourceIds.map((id) => id.toLowerCase()),
        at,
      );
      const worklistId = createWorklist(db, {
        customerId,
        name,
        description,
        annotators,
        annotations: annotations as JsonValue[],
        frameLabels,
        imageLabels,
        resourceIds: allIds.map((id) => id.toLowerCase()),
        by,
        at,
      });
      return insertProject(db, {
        customer_id: customerId,
        name,
        description,
        dataset_id: datasetId,
        worklist_id: worklistId,
        is_active_learning: flags.is_active_learning ? 1 : 0,
        two_up_display: flags.two_up_display ? 1 : 0,
        require_review: flags.require_review ? 1 : 0,
        created_at: at,
        created_by: by,
      });
    };
    const { value: id, replayed } = oncePerKey(
      db,
      {
        customerId,
        endpoint: 'POST /projects',
        key: idempotencyKeyOf(req),
        at: nowIso(),
        fingerprint: bodyFingerprint(req.body),
        alive: (id) => findProject(db, customerId, id) !== undefined,
      },
      create,
    );
    reply.code(201);
    if (replayed) reply.header('idempotent-replayed', 'true');
    const project = findProject(db, customerId, id);
    // A replay after the project was deleted: report it as gone rather than recreate it.
    if (!project)
      throw new NotFoundError('Project', 'it was created with this Idempotency-Key and deleted since');
    return projectJson(db, project);
  });

  app.get<{ Params: IdParams }>(
    '/projects/:project_id',
    { schema: { response: ok(projectSchema) } },
    async (req) => projectJson(db, projectOr404(req.principal.customerId, req.params.project_id)),
  );

  app.patch<{ Params: IdParams }>(
    '/projects/:project_id',
    { schema: { body: projectPatchBody, response: ok(projectSchema) } },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const body = req.body as JsonObject;
      if (
        typeof body.name === 'string' &&
        body.name !== project.name &&
        projectNameTaken(db, customerId, body.name)
      ) {
        throw new ConflictError('Project name already exists');
      }
      patchProject(db, project, body);
      return projectJson(db, projectOr404(customerId, project.id));
    },
  );

  app.delete<{ Params: IdParams }>('/projects/:project_id', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    deleteProject(db, project.id);
    return {};
  });

  app.get<{ Params: IdParams }>('/projects/:project_id/resources', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const page = queryPage(req.query as RawQuery);
    // The deprecated Python method sends no offset/limit and re-requests forever while a reply holds
    // 5000 items or more: without an explicit limit, answer at most 4999.
    const limited = page.limit === undefined ? { ...page, limit: LEGACY_PAGE_CAP } : page;
    // A bare array: the deprecated SDK method iterates the top-level value.
    return listResources(
      db,
      { customerId: req.principal.customerId, datasetId: project.dataset_id, ascending: true },
      limited,
    ).items;
  });

  app.post<{ Params: IdParams & { resource_id: string } }>(
    '/projects/:project_id/resources/:resource_id/status',
    async (req) => {
      const project = projectOr404(req.principal.customerId, req.params.project_id);
      const resourceId = requireId('Resource', req.params.resource_id);
      if (
        !findResource(db, req.principal.customerId, resourceId) ||
        !projectHasResource(db, project, resourceId)
      ) {
        throw new NotFoundError('Resource', 'not in this project');
      }
      const body = requireObject(req.body, 'body');
      const status = oneOf(requiredString(body, 'status', 'body'), PROJECT_RESOURCE_STATUSES, 'body.status');
      setProjectResourceStatus(db, {
        projectId: project.id,
        resourceId,
        status,
        by: req.principal.email,
        at: nowIso(),
      });
      return {};
    },
  );

  app.get<{ Params: IdParams }>('/projects/:project_id/experiments', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    return listExperiments(db, req.principal.customerId, project.dataset_id);
  });

  app.get<{ Params: IdParams }>('/projects/:project_id/annotated_dataset', async (req, reply) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const query = req.query as RawQuery;
    const options = {
      allAnnotations: queryBoolean(query, 'all_annotations') ?? false,
      includeUnannotated: queryBoolean(query, 'include_unannotated') ?? false,
    };
    return streamAnnotatedDataset(ctx, project, options, reply);
  });
}
