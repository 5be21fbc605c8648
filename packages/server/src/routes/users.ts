import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { bodyFingerprint, idempotencyKeyOf, oncePerKey } from '../idempotency';
import { isUuid } from '../ids';
import { queryNonEmpty, queryPage, type RawQuery } from '../query';
import { createInvitation, listInvitations, revokeInvitations } from '../repos/invitations';
import { findProject } from '../repos/projects';
import {
  createUser,
  deleteUser,
  findUser,
  findUserByEmailOrId,
  listUsers,
  updateUser,
  userExists,
  userHasApiKey,
} from '../repos/users';
import { worklistExists } from '../repos/worklists';
import { ok, userSchema } from '../schemas/entities';
import { nowIso } from '../time';
import { optionalString, optionalStringArray, requireObject } from '../validate';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/users', { schema: { response: ok({ type: 'array', items: userSchema }) } }, async (req) =>
    listUsers(db, req.principal.customerId, queryPage(req.query as RawQuery)),
  );

  app.post('/users', { schema: { response: ok(userSchema, 201) } }, async (req, reply) => {
    const body = requireObject(req.body, 'body');
    const email = optionalString(body, 'email', 'body');
    if (email === null || !EMAIL.test(email.trim())) {
      throw new BadRequestError(
        `body.email is required and must be an email address, got ${JSON.stringify(body.email ?? null)}`,
      );
    }
    const customerId = req.principal.customerId;
    const { value: id, replayed } = oncePerKey(
      db,
      {
        customerId,
        endpoint: 'POST /users',
        key: idempotencyKeyOf(req),
        at: nowIso(),
        fingerprint: bodyFingerprint(req.body),
      },
      () => {
        if (userExists(db, customerId, email.trim())) throw new ConflictError('User already exists');
        return createUser(db, {
          customerId,
          email: email.trim(),
          password: optionalString(body, 'password', 'body'),
          firstname: optionalString(body, 'firstname', 'body'),
          lastname: optionalString(body, 'lastname', 'body'),
          roles: optionalStringArray(body, 'roles', 'body') ?? [],
          at: nowIso(),
        }).id;
      },
    );
    if (replayed) reply.header('idempotent-replayed', 'true');
    reply.code(201);
    // Users are never deleted, so the recorded id always resolves.
    return findUser(db, customerId, id) ?? { id };
  });

  const optionalName = { type: ['string', 'null'] };

  function userOr404(customerId: string, email: string) {
    const user = findUserByEmailOrId(db, customerId, email);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  app.post(
    '/users/invite',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          properties: {
            email: { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$' },
            firstname: optionalName,
            lastname: optionalName,
            return_url: optionalName,
            project_id: optionalName,
            project_roles: { type: ['array', 'null'], items: { type: 'string' } },
            annotation_worklist_id: optionalName,
          },
        },
      },
    },
    async (req, reply) => {
      const customerId = req.principal.customerId;
      const body = req.body as {
        email: string;
        firstname?: string | null;
        lastname?: string | null;
        return_url?: string | null;
        project_id?: string | null;
        project_roles?: string[] | null;
        annotation_worklist_id?: string | null;
      };
      const projectId = body.project_id?.toLowerCase() ?? null;
      if (projectId !== null && (!isUuid(projectId) || !findProject(db, customerId, projectId))) {
        throw new NotFoundError('Project', projectId.slice(0, 100));
      }
      const worklistId = body.annotation_worklist_id?.toLowerCase() ?? null;
      if (worklistId !== null && (!isUuid(worklistId) || !worklistExists(db, customerId, worklistId))) {
        throw new NotFoundError('Annotation worklist', worklistId.slice(0, 100));
      }
      reply.code(201);
      return createInvitation(db, {
        customerId,
        email: body.email.trim(),
        firstname: body.firstname ?? null,
        lastname: body.lastname ?? null,
        return_url: body.return_url ?? null,
        project_id: projectId,
        project_roles: body.project_roles ?? [],
        annotation_worklist_id: worklistId,
        created_at: nowIso(),
        created_by: req.principal.email,
      });
    },
  );

  app.get('/users/invitations', async (req) =>
    listInvitations(
      db,
      req.principal.customerId,
      queryNonEmpty(req.query as RawQuery, 'project_id')?.toLowerCase(),
    ),
  );

  app.delete<{ Params: { email: string } }>('/users/invitations/:email/revoke', async (req) => {
    const revoked = revokeInvitations(db, req.principal.customerId, req.params.email, nowIso());
    if (revoked === 0) throw new NotFoundError('Invitation', req.params.email);
    return { revoked };
  });

  app.get<{ Params: { email: string } }>(
    '/users/:email',
    { schema: { response: ok(userSchema) } },
    async (req) => userOr404(req.principal.customerId, req.params.email),
  );

  app.patch<{ Params: { email: string } }>(
    '/users/:email',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            firstname: optionalName,
            lastname: optionalName,
            roles: { type: 'array', items: { type: 'string' } },
            password: optionalName,
          },
        },
        response: ok(userSchema),
      },
    },
    async (req) => {
      const customerId = req.principal.customerId;
      const user = userOr404(customerId, req.params.email);
      updateUser(db, user.id, req.body as Parameters<typeof updateUser>[2]);
      return userOr404(customerId, user.email);
    },
  );

  app.delete<{ Params: { email: string } }>('/users/:email', async (req) => {
    const user = userOr404(req.principal.customerId, req.params.email);
    // A key-bound user would come back at the next start (keys are configuration): refuse clearly.
    if (userHasApiKey(db, user.id)) throw new ConflictError('User has an API key and cannot be deleted');
    deleteUser(db, user.id);
    return {};
  });
}
