import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, ConflictError } from '../errors';
import { idempotencyKeyOf, oncePerKey } from '../idempotency';
import { queryPage, type RawQuery } from '../query';
import { createUser, findUser, listUsers, userExists } from '../repos/users';
import { ok, userSchema } from '../schemas/entities';
import { nowIso } from '../time';
import { optionalString, optionalStringArray, requireObject } from '../validate';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/users', { schema: { response: ok({ type: 'array', items: userSchema }) } }, async (req) =>
    listUsers(db, req.principal.customerId, queryPage(req.query as RawQuery)),
  );

  app.post('/users', async (req, reply) => {
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
      { customerId, endpoint: 'POST /users', key: idempotencyKeyOf(req), at: nowIso() },
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
}
