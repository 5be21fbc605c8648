import { Entity } from '../entity';

/** A user of the customer; the e-mail is the id. Unknown fields are kept. */
export class UserEntity extends Entity {
  /** Builds a user from the server's JSON; missing required fields are an `UnexpectedResponseError`. */
  constructor(data: unknown) {
    super(data, 'a user', ['email', 'firstname', 'lastname', 'roles', 'customer_id', 'created_at']);
  }
  /** The id (the e-mail when the server sends no other). */
  get id(): string {
    return this.optionalString('id') ?? this.email;
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
}
