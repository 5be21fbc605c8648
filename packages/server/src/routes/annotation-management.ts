import { ANNOTATION_TYPES } from '@datamint/core/internal';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { isUuid, requireId } from '../ids';
import { queryBoolean, queryDateBound, type RawQuery } from '../query';
import {
  approveAnnotation,
  currentAnnotationJson,
  findAnnotation,
  forCurrentReaders,
  listAnnotations,
  missingAnnotations,
  renameAnnotation,
  setAnnotationProject,
  softDeleteAnnotation,
} from '../repos/annotations';
import { findProject } from '../repos/projects';
import { annotationSchema, type JsonSchema, listOf, ok } from '../schemas/entities';
import { nowIso } from '../time';

interface IdParams {
  annotation_id: string;
}

/** A count sent as a JSON string (the SDK pages `POST /annotations/search` with `"offset": "0"`) or number. */
const countSchema: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: '^[0-9]{1,15}$' },
    { type: 'integer', minimum: 0 },
  ],
};
const optionalText: JsonSchema = { type: ['string', 'null'] };

/** The filters of `GET /annotations`, as a JSON body, plus `resource_ids` and paging. */
const searchBody: JsonSchema = {
  type: 'object',
  properties: {
    resource_id: optionalText,
    resource_ids: { type: 'array', items: { type: 'string' } },
    annotation_type: { anyOf: [{ type: 'null' }, { type: 'string', enum: [...ANNOTATION_TYPES] }] },
    annotatorEmail: optionalText,
    from: optionalText,
    to: optionalText,
    dataset_id: optionalText,
    annotation_worklist_id: optionalText,
    status: optionalText,
    load_ai_segmentations: { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'null' }] },
    offset: countSchema,
    limit: countSchema,
  },
};

type SearchBody = {
  resource_id?: string | null;
  resource_ids?: string[];
  annotation_type?: string | null;
  annotatorEmail?: string | null;
  from?: string | null;
  to?: string | null;
  dataset_id?: string | null;
  annotation_worklist_id?: string | null;
  status?: string | null;
  load_ai_segmentations?: boolean | string | null;
  offset?: string | number;
  limit?: string | number;
};

const text = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? undefined : v);

/** Annotation search, reading, renaming, approval and batch deletion (the current platform's routes). */
export function annotationManagementRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.post(
    '/annotations/search',
    { schema: { body: searchBody, response: ok(listOf(annotationSchema)) } },
    async (req) => {
      const body = (req.body ?? {}) as SearchBody;
      // Dates and the boolean go through the same readers as the v1.4.1 query-string listing.
      const asQuery: RawQuery = {
        from: text(body.from),
        to: text(body.to),
        load_ai_segmentations:
          typeof body.load_ai_segmentations === 'boolean'
            ? String(body.load_ai_segmentations)
            : text(body.load_ai_segmentations),
      };
      const resourceIds = body.resource_ids?.map((id) => id.toLowerCase());
      const { items, total } = listAnnotations(
        db,
        {
          customerId: req.principal.customerId,
          resourceId: text(body.resource_id)?.toLowerCase(),
          resourceIds,
          type: text(body.annotation_type),
          annotatorEmail: text(body.annotatorEmail),
          from: queryDateBound(asQuery, 'from', 'start'),
          to: queryDateBound(asQuery, 'to', 'end'),
          datasetId: text(body.dataset_id)?.toLowerCase(),
          worklistId: text(body.annotation_worklist_id)?.toLowerCase(),
          status: text(body.status),
          loadAiSegmentations: queryBoolean(asQuery, 'load_ai_segmentations'),
        },
        {
          offset: body.offset === undefined ? 0 : Number(body.offset),
          limit: body.limit === undefined ? undefined : Number(body.limit),
        },
      );
      return { data: items.map(forCurrentReaders), totalCount: total };
    },
  );

  app.post(
    '/annotations/delete-batch',
    {
      schema: {
        body: {
          type: 'object',
          required: ['ids'],
          properties: { ids: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    async (req) => {
      const raw = (req.body as { ids: string[] }).ids;
      const ids = [...new Set(raw.map((id) => id.toLowerCase()))];
      const missing = missingAnnotations(db, req.principal.customerId, ids);
      if (missing.length > 0) throw new NotFoundError('Annotation', missing.slice(0, 10).join(', '));
      // All or nothing: every id was checked, and the deletes share one transaction.
      db.transaction(() => {
        for (const id of ids) softDeleteAnnotation(db, id);
      })();
      return { deleted: ids.length };
    },
  );

  function annotationOr404(customerId: string, rawId: string) {
    const annotation = findAnnotation(db, customerId, requireId('Annotation', rawId));
    if (!annotation) throw new NotFoundError('Annotation');
    return annotation;
  }

  app.get<{ Params: IdParams }>(
    '/annotations/:annotation_id',
    { schema: { response: ok(annotationSchema) } },
    async (req) => currentAnnotationJson(annotationOr404(req.principal.customerId, req.params.annotation_id)),
  );

  app.patch<{ Params: IdParams }>(
    '/annotations/:annotation_id',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            identifier: { type: ['string', 'null'], minLength: 1 },
            project_id: { type: ['string', 'null'] },
          },
        },
        response: ok(annotationSchema),
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const annotation = annotationOr404(customerId, req.params.annotation_id);
      const body = (req.body ?? {}) as { identifier?: string | null; project_id?: string | null };
      let projectId: string | undefined;
      if (typeof body.project_id === 'string') {
        if (!isUuid(body.project_id) || !findProject(db, customerId, body.project_id.toLowerCase())) {
          throw new NotFoundError('Project', body.project_id.slice(0, 100));
        }
        projectId = body.project_id.toLowerCase();
      }
      if (typeof body.identifier === 'string' && body.identifier.trim() === '') {
        throw new BadRequestError('body.identifier must not be blank');
      }
      db.transaction(() => {
        if (typeof body.identifier === 'string') renameAnnotation(db, annotation.id, body.identifier);
        if (projectId !== undefined) setAnnotationProject(db, annotation.id, projectId);
      })();
      return currentAnnotationJson(annotationOr404(customerId, annotation.id));
    },
  );

  app.patch<{ Params: IdParams }>(
    '/annotations/:annotation_id/approve',
    { schema: { response: ok(annotationSchema) } },
    async (req) => {
      const customerId = req.principal.customerId;
      const annotation = annotationOr404(customerId, req.params.annotation_id);
      approveAnnotation(db, annotation.id, req.principal.email, nowIso());
      return currentAnnotationJson(annotationOr404(customerId, annotation.id));
    },
  );
}
