import type { Paginated } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  createOnce,
  type HandlerContext,
  type ListOptions,
  pathSegment,
  relabelNotFound,
} from '../context';
import { ValidationError } from '../errors';
import { UserEntity } from './entities/user';
import type { EntityRefetch } from './entity';
import { idOf } from './ids';
import { paged } from './pages';
import { rawCall } from './requests';

/** Options of `api.users.create`. */
export interface CreateApiUserOptions extends CallOptions {
  /** Initial password (default none: the user sets one). */
  password?: string;
  /** First name. */
  firstname?: string;
  /** Last name. */
  lastname?: string;
  /** Roles such as `admin`. */
  roles?: readonly string[];
}

/** Options of `api.users.invite`; unset ones are not sent. */
export interface InviteUserOptions extends CallOptions {
  /** First name. */
  firstname?: string;
  /** Last name. */
  lastname?: string;
  /** Where the invitation link leads after sign-up. */
  returnUrl?: string;
  /** The project the user is invited to (id or entity). */
  project?:
    | string
    | {
        /** The project's id. */
        readonly id: string;
      };
  /** The user's roles in that project. */
  projectRoles?: readonly string[];
  /** The worklist the user is invited to annotate. */
  annotationWorklistId?: string;
}

/**
 * `api.users`: the customer's users (ids are e-mail addresses).
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const user = await api.users.create('reader@example.com', { firstname: 'Ana', roles: ['annotator'] });
 * console.log(user.id, (await api.users.getByEmail('reader@example.com')).roles);
 * for await (const u of api.users.getList()) console.log(u.email);
 * await api.close();
 * ```
 */
export class UsersApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;

  /** @internal Built by `Api`. */
  constructor(context: () => Promise<HandlerContext>, pageSize: number) {
    this.#context = context;
    this.#pageSize = pageSize;
  }

  /** What the users this group returns read themselves again with. */
  readonly #entityLinks: EntityRefetch = {
    refetch: async (email, options) => (await this.getByEmail(email, options)).toJSON(),
  };

  /** Users, lazily paged. */
  getList(options: ListOptions = {}): Paginated<UserEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'users',
        field: 'users',
        build: (item) => new UserEntity(item, this.#entityLinks),
      },
    );
  }

  /** One user by e-mail; unknown is `ResourceNotFoundError('user', {email})`. */
  async getByEmail(email: string, options?: CallOptions): Promise<UserEntity> {
    // The e-mail is one path segment: escaped so `/`, `?` or `#` in it cannot reach another route.
    const segment = pathSegment(email, 'email');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `users/${segment}`, ...callOpts(options) }),
      'user',
      { email },
    );
    return new UserEntity(body, this.#entityLinks);
  }

  /** Creates a user; all five keys are sent, unset ones as `null` (the platform's body). */
  async create(email: string, options: CreateApiUserOptions = {}): Promise<UserEntity> {
    if (typeof email !== 'string' || !email.includes('@'))
      throw new ValidationError('email', email, 'an e-mail address');
    const ctx = await this.#context();
    const body = await ctx.http.request({
      method: 'POST',
      path: 'users',
      json: {
        email,
        password: options.password ?? null,
        firstname: options.firstname ?? null,
        lastname: options.lastname ?? null,
        roles: options.roles === undefined ? null : [...options.roles],
      },
      ...createOnce(),
      ...callOpts(options),
    });
    return new UserEntity(body, this.#entityLinks);
  }
  /** Changes fields of a user (`{ firstname }`, `{ roles }`...); unset (`undefined`/`null`) fields are not sent. */
  async update(email: string, changes: Record<string, unknown>, options?: CallOptions): Promise<unknown> {
    const segment = pathSegment(email, 'email');
    if (!changes || typeof changes !== 'object' || Array.isArray(changes))
      throw new ValidationError('changes', changes, 'an object');
    const json = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined && v !== null));
    if (Object.keys(json).length === 0)
      throw new ValidationError('changes', changes, 'at least one field to set');
    return rawCall(
      this.#context,
      { method: 'PATCH', path: `users/${segment}`, json, retrySafe: true },
      { resourceType: 'user', params: { email } },
      options,
    );
  }

  /** Deletes a user. */
  async delete(email: string, options?: CallOptions): Promise<void> {
    const segment = pathSegment(email, 'email');
    await rawCall(
      this.#context,
      { method: 'DELETE', path: `users/${segment}` },
      { resourceType: 'user', params: { email } },
      options,
    );
  }

  /** Invites someone by e-mail, optionally into a project or worklist; returns the server's answer. */
  async invite(email: string, options: InviteUserOptions = {}): Promise<unknown> {
    if (typeof email !== 'string' || !email.includes('@'))
      throw new ValidationError('email', email, 'an e-mail address');
    const json: Record<string, unknown> = { email };
    if (options.firstname !== undefined) json.firstname = options.firstname;
    if (options.lastname !== undefined) json.lastname = options.lastname;
    if (options.returnUrl !== undefined) json.return_url = options.returnUrl;
    if (options.project !== undefined) json.project_id = idOf(options.project, 'project');
    if (options.projectRoles !== undefined) json.project_roles = [...options.projectRoles];
    if (options.annotationWorklistId !== undefined)
      json.annotation_worklist_id = idOf(options.annotationWorklistId, 'annotationWorklistId');
    const ctx = await this.#context();
    return ctx.http.request({
      method: 'POST',
      path: 'users/invite',
      json,
      ...createOnce(),
      ...callOpts(options),
    });
  }

  /** Pending invitations, optionally of one project (as the server sends them). */
  async getInvitations(
    options: CallOptions & {
      /** Only invitations to this project. */
      project?: string | { readonly id: string };
    } = {},
  ): Promise<unknown> {
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: 'users/invitations',
        query: { project_id: options.project === undefined ? undefined : idOf(options.project, 'project') },
      },
      { resourceType: 'project', params: { id: options.project } },
      options,
    );
  }

  /** Revokes the pending invitations of an e-mail address. */
  async revokeInvitation(email: string, options?: CallOptions): Promise<unknown> {
    const segment = pathSegment(email, 'email');
    return rawCall(
      this.#context,
      { method: 'DELETE', path: `users/invitations/${segment}/revoke`, retrySafe: true },
      { resourceType: 'invitation', params: { email } },
      options,
    );
  }
}
