import type { FastifyInstance } from 'fastify';
import { annotationsCsv, annotationsXlsx, XLSX_MIMETYPE } from '../annotation-export';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { queryDateBound, queryNonEmpty, type RawQuery } from '../query';
import { addToDataset, datasetResourceIds } from '../repos/datasets';
import {
  annotationStatistics,
  annotatorStatistics,
  assignSplit,
  listMembers,
  listSplits,
  listStatuses,
  projectAnnotations,
  removeMember,
  resetStatus,
  setMember,
} from '../repos/project-work';
import { findProject, type ProjectRow, projectHasResource } from '../repos/projects';
import { missingResources } from '../repos/resources';
import { findUserByEmailOrId } from '../repos/users';
import { getWorklist } from '../repos/worklists';
import { type JsonSchema, ok, splitSchema, worklistSchema } from '../schemas/entities';
import { nowIso } from '../time';

interface IdParams {
  project_id: string;
}
interface ResourceParams extends IdParams {
  resource_id: string;
}

const stringArray: JsonSchema = { type: 'array', items: { type: 'string' } };

/** A query parameter that may repeat (`statuses=a&statuses=b`, `annotators[]=x`), as a list. */
function queryList(query: RawQuery, ...names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = query[name];
    if (value === undefined) continue;
    out.push(...(Array.isArray(value) ? value : [value]).filter((v) => v !== ''));
  }
  return out;
}

/**
 * The current platform's project management: resources into the project's dataset and worklist,
 * members, per-annotator statuses, splits, statistics and annotation exports.
 */
export function projectManagementRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  function projectOr404(customerId: string, rawId: string): ProjectRow {
    const project = findProject(db, customerId, requireId('Project', rawId));
    if (!project) throw new NotFoundError('Project');
    return project;
  }

  function resourceOfProject(project: ProjectRow, customerId: string, rawId: string): string {
    const id = requireId('Resource', rawId);
    if (missingResources(db, customerId, [id]).length > 0 || !projectHasResource(db, project, id)) {
      throw new NotFoundError('Resource', 'not in this project');
    }
    return id;
  }

  app.post<{ Params: IdParams }>(
    '/projects/:project_id/resources',
    {
      schema: {
        body: {
          type: 'object',
          properties: { resource_ids_to_add: stringArray, all_files_selected: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const body = req.body as { resource_ids_to_add?: string[]; all_files_selected?: boolean };
      let ids = [...new Set((body.resource_ids_to_add ?? []).map((id) => id.toLowerCase()))];
      if (body.all_files_selected === true) {
        ids = (
          db
            .prepare('SELECT id FROM resources WHERE customer_id = ? AND deleted = 0 ORDER BY seq')
            .all(customerId) as Array<{
            id: string;
          }>
        ).map((r) => r.id);
      }
      const missing = missingResources(db, customerId, ids);
      if (missing.length > 0) throw new NotFoundError('Resource', missing.slice(0, 10).join(', '));
      // The dataset and the project's worklist receive the resources together.
      const added = db.transaction(() => addToDataset(db, project.dataset_id, ids, nowIso()))();
      return { added, resource_count: datasetResourceIds(db, project.dataset_id).length };
    },
  );

  app.get<{ Params: IdParams }>(
    '/projects/:project_id/worklists',
    { schema: { response: ok({ type: 'array', items: worklistSchema }) } },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const worklist = getWorklist(db, customerId, project.worklist_id);
      return worklist ? [worklist] : [];
    },
  );

  app.get<{ Params: IdParams }>('/projects/:project_id/members', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    return listMembers(db, project.id, req.principal.customerId);
  });

  app.post<{ Params: IdParams & { user_id: string } }>(
    '/projects/:project_id/members/:user_id',
    { schema: { body: { type: 'object', required: ['roles'], properties: { roles: stringArray } } } },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const user = findUserByEmailOrId(db, customerId, req.params.user_id);
      if (!user) throw new NotFoundError('User');
      setMember(db, project.id, user.email, (req.body as { roles: string[] }).roles, nowIso());
      return listMembers(db, project.id, customerId).find((m) => m.user_id === user.email);
    },
  );

  app.delete<{ Params: IdParams & { user_id: string } }>(
    '/projects/:project_id/members/:user_id',
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const user = findUserByEmailOrId(db, customerId, req.params.user_id);
      if (!user || removeMember(db, project.id, user.email) === 0) throw new NotFoundError('Member');
      return {};
    },
  );

  app.get<{ Params: IdParams }>('/projects/:project_id/annotation-statuses', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const query = req.query as RawQuery;
    return listStatuses(db, project.id, {
      status: queryNonEmpty(query, 'status'),
      userId: queryNonEmpty(query, 'user_id'),
      resourceId: queryNonEmpty(query, 'resource_id')?.toLowerCase(),
    });
  });

  app.delete<{ Params: ResourceParams & { email: string } }>(
    '/projects/:project_id/resources/:resource_id/annotator/:email/status-reset',
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const resourceId = resourceOfProject(project, customerId, req.params.resource_id);
      return { reset: resetStatus(db, project.id, resourceId, req.params.email) };
    },
  );

  app.get<{ Params: IdParams }>(
    '/projects/:project_id/splits',
    { schema: { response: ok({ type: 'array', items: splitSchema }) } },
    async (req) => {
      const project = projectOr404(req.principal.customerId, req.params.project_id);
      const query = req.query as RawQuery;
      const asOf = queryNonEmpty(query, 'as_of_timestamp');
      return listSplits(db, project.id, {
        splitName: queryNonEmpty(query, 'split_name'),
        asOf:
          asOf === undefined
            ? undefined
            : queryDateBound({ as_of_timestamp: asOf }, 'as_of_timestamp', 'end'),
      });
    },
  );

  app.post<{ Params: IdParams }>(
    '/projects/:project_id/splits',
    {
      schema: {
        body: {
          type: 'object',
          required: ['resource_ids', 'split_name'],
          properties: {
            resource_ids: stringArray,
            split_name: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: ok({ type: 'array', items: splitSchema }),
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const body = req.body as { resource_ids: string[]; split_name: string };
      const ids = [...new Set(body.resource_ids.map((id) => id.toLowerCase()))];
      const outside = ids.filter(
        (id) => missingResources(db, customerId, [id]).length > 0 || !projectHasResource(db, project, id),
      );
      if (outside.length > 0)
        throw new NotFoundError('Resource', `not in this project: ${outside.slice(0, 10).join(', ')}`);
      db.transaction(() =>
        assignSplit(db, {
          projectId: project.id,
          resourceIds: ids,
          splitName: body.split_name,
          by: req.principal.email,
          at: nowIso(),
        }),
      )();
      return listSplits(db, project.id, { splitName: body.split_name }).filter((s) =>
        ids.includes(s.resource_id),
      );
    },
  );

  app.get<{ Params: ResourceParams }>(
    '/projects/:project_id/resources/:resource_id/split',
    { schema: { response: ok(splitSchema) } },
    async (req) => {
      const customerId = req.principal.customerId;
      const project = projectOr404(customerId, req.params.project_id);
      const resourceId = resourceOfProject(project, customerId, req.params.resource_id);
      const [split] = listSplits(db, project.id, { resourceId });
      // The SDK reads a 404 saying "not found" as "no split".
      if (!split) throw new NotFoundError('Split', 'the resource is in no split of this project');
      return split;
    },
  );

  function annotationsOf(project: ProjectRow, query: RawQuery) {
    return projectAnnotations(db, project.dataset_id, {
      from: queryDateBound(query, 'from', 'start'),
      to: queryDateBound(query, 'to', 'end'),
      annotators: queryList(query, 'annotators[]', 'annotators'),
      identifiers: queryList(query, 'annotations[]', 'annotations'),
    });
  }

  app.get<{ Params: IdParams }>('/projects/:project_id/download-annotations', async (req, reply) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const query = req.query as RawQuery;
    const format = queryNonEmpty(query, 'format') ?? 'csv';
    const rows = annotationsOf(project, query);
    const base = `${project.name.replace(/[^\w.-]+/g, '_')}-annotations`;
    if (format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${base}.csv"`)
        .send(annotationsCsv(rows));
    }
    if (format === 'xlsx' || format === 'excel') {
      return reply
        .header('content-type', XLSX_MIMETYPE)
        .header('content-disposition', `attachment; filename="${base}.xlsx"`)
        .send(await annotationsXlsx(rows));
    }
    throw new BadRequestError(`format must be one of csv, xlsx, excel, got '${format.slice(0, 50)}'`);
  });

  app.get<{ Params: IdParams }>('/projects/:project_id/annotators-statistic', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const query = req.query as RawQuery;
    return annotatorStatistics(
      projectAnnotations(db, project.dataset_id),
      listStatuses(db, project.id, {}),
      queryNonEmpty(query, 'email'),
    );
  });

  app.get<{ Params: IdParams }>('/projects/:project_id/annotations-statistic', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    return annotationStatistics(projectAnnotations(db, project.dataset_id));
  });

  app.get<{ Params: IdParams }>('/projects/:project_id/files-matrix-statistic', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const annotations = projectAnnotations(db, project.dataset_id);
    const statuses = listStatuses(db, project.id, {});
    return datasetResourceIds(db, project.dataset_id).map((rid) => {
      const own = annotations.filter((a) => a.resource_id === rid);
      return {
        resource_id: rid,
        annotations_count: own.length,
        annotators: [...new Set(own.map((a) => a.added_by))],
        statuses: statuses
          .filter((s) => s.resource_id === rid)
          .map((s) => ({ user_id: s.user_id, status: s.status })),
      };
    });
  });

  app.get<{ Params: IdParams & { email: string } }>(
    '/projects/:project_id/users/:email/status',
    async (req) => {
      const project = projectOr404(req.principal.customerId, req.params.project_id);
      const email = req.params.email;
      const statuses = listStatuses(db, project.id, { userId: email });
      const total = datasetResourceIds(db, project.dataset_id).length;
      const count = (s: string) => statuses.filter((x) => x.status === s).length;
      return {
        email,
        total_resources: total,
        opened: count('opened'),
        annotated: count('annotated'),
        closed: count('closed'),
        status:
          total > 0 && count('closed') === total
            ? 'completed'
            : statuses.length > 0
              ? 'in_progress'
              : 'not_started',
      };
    },
  );

  app.get<{ Params: IdParams }>('/projects/:project_id/reviewmessages', async (req) => {
    const project = projectOr404(req.principal.customerId, req.params.project_id);
    const query = req.query as RawQuery;
    const clauses = ['worklist_id = ?', 'message IS NOT NULL'];
    const params: string[] = [project.worklist_id];
    const annotator = queryNonEmpty(query, 'annotator');
    if (annotator !== undefined) {
      clauses.push('annotator = ?');
      params.push(annotator);
    }
    const resourceId = queryNonEmpty(query, 'resourceId');
    if (resourceId !== undefined) {
      clauses.push('resource_id = ?');
      params.push(resourceId.toLowerCase());
    }
    const statuses = queryList(query, 'statuses', 'statuses[]');
    if (statuses.length > 0) {
      clauses.push('status IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(statuses));
    }
    return db
      .prepare(
        `SELECT resource_id, annotator, status, message, updated_at AS created_at FROM worklist_resource_status
         WHERE ${clauses.join(' AND ')} ORDER BY rowid`,
      )
      .all(...params);
  });

  // No model registry runs locally: a project has no models.
  app.get<{ Params: IdParams }>('/projects/:project_id/models', async (req) => {
    projectOr404(req.principal.customerId, req.params.project_id);
    return [];
  });
}
