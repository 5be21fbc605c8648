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
import { paged } from './pages';

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

  /** Users, lazily paged. */
  getList(options: ListOptions = {}): Paginated<UserEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      { method: 'GET', path: 'users', field: 'users', build: (item) => new UserEntity(item) },
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
    return new UserEntity(body);
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
    return new UserEntity(body);
  }
}
