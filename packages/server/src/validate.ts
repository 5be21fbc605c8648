import { BadRequestError } from './errors';
import type { JsonObject, JsonValue } from './repos/json';

/** Field readers for JSON request bodies: each error names the field path and what was expected. */
export function requireObject(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${where} must be a JSON object`);
  }
  return value as JsonObject;
}

export function requireArray(value: unknown, where: string): JsonValue[] {
  if (!Array.isArray(value)) throw new BadRequestError(`${where} must be a JSON array`);
  return value as JsonValue[];
}

export function requiredString(obj: JsonObject, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestError(`${where}.${key} is required and must be a non-empty string`);
  }
  return value;
}

/** A string, or null when absent/null. */
export function optionalString(obj: JsonObject, key: string, where: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BadRequestError(`${where}.${key} must be a string or null`);
  return value;
}

export function optionalBoolean(obj: JsonObject, key: string, where: string): boolean | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw new BadRequestError(`${where}.${key} must be true, false or null`);
  return value;
}

export function optionalStringArray(obj: JsonObject, key: string, where: string): string[] | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new BadRequestError(`${where}.${key} must be an array of strings`);
  }
  return value as string[];
}

export function optionalArray(obj: JsonObject, key: string, where: string): JsonValue[] | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new BadRequestError(`${where}.${key} must be an array`);
  return value;
}

export function optionalNonNegativeInt(obj: JsonObject, key: string, where: string): number | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new BadRequestError(`${where}.${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  if (!allowed.includes(value as T)) {
    throw new BadRequestError(`${where} must be one of ${allowed.join(', ')}, got '${value}'`);
  }
  return value as T;
}
