import { expect } from 'vitest';
import type { JsonSchema } from '../../src/schemas/entities';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  const actual = typeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/**
 * Problems of `value` against the subset of JSON Schema the entity schemas use (type, required,
 * properties, items): the check a strict client model makes on a reply, independent of the
 * serialiser that produced it.
 */
export function schemaProblems(value: unknown, schema: JsonSchema, path = '$'): string[] {
  const problems: string[] = [];
  if (schema.type !== undefined && !matchesType(value, schema.type)) {
    return [`${path}: expected ${JSON.stringify(schema.type)}, got ${typeOf(value)}`];
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) problems.push(`${path}.${key}: missing`);
    }
    const props = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) {
      if (key in obj) problems.push(...schemaProblems(obj[key], sub, `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      problems.push(...schemaProblems(item, schema.items as JsonSchema, `${path}[${i}]`));
    });
  }
  return problems;
}

/** Asserts that a reply body satisfies an entity schema (the keys the current SDK requires). */
export function expectEntity(value: unknown, schema: JsonSchema, label = ''): void {
  expect(schemaProblems(value, schema), label).toEqual([]);
}
