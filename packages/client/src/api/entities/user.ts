import { type EntityRefetch, LinkedEntity } from '../entity';

/**
 * A user of the customer; the e-mail is the id. Unknown fields are kept; `refresh()` and
 * `fetchField(key)` read the user again (`GET /users/{email}`).
 */
export class UserEntity extends LinkedEntity {
  /**
   * Builds a user from the server's JSON; missing required fields are an `UnexpectedResponseError`.
   * Without `links` (built from bare JSON) it cannot read itself again.
   */
  constructor(data: unknown, links?: EntityRefetch) {
    super(
      data,
      'a user',
      ['email', 'firstname', 'lastname', 'roles', 'customer_id', 'created_at'],
      'UserEntity',
      links,
    );
  }
  /** The id (the e-mail when the server sends no other). */
  get id(): string {
    return this.optionalString('id') ?? this.email;
  }
  /** Users are read by e-mail (`GET /users/{email}`), whatever other id the server gives them. */
  protected override get refetchKey(): string {
    return this.email;
  }
  /** The server's `email` field. */
  get email(): string {
    return this.string('email');
  }
  /** The server's `firstname` field. */
  get firstname(): string | null {
    return this.optionalString('firstname');
  }
  /** The server's `lastname` field. */
  get lastname(): string | null {
    return this.optionalString('lastname');
  }
  /** Roles such as `admin`. */
  get roles(): string[] {
    const roles = this.get('roles');
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
  }
  /** The server's `customer_id` field. */
  get customerId(): string {
    return this.string('customer_id');
  }
  /** The server's `created_at` field. */
  get createdAt(): string {
    return this.string('created_at');
  }
}
