/**
 * The deepest JSON nesting the server accepts. `JSON.stringify` and fastify's serialiser recurse once
 * per level and overflow the stack a few thousand levels down, so a value stored deeper than this
 * would break every later read of its row; real payloads (annotation geometry, DICOM-style metadata)
 * stay far below it.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Nesting depth of a JSON text, scanning brackets outside strings without parsing (and so without
 * recursion). Malformed text is measured as written; the parser reports its errors separately.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Nesting depth of a parsed value, measured iteratively (a recursive walk would itself overflow). */
export function jsonValueDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    const depth = level + 1;
    if (depth > max) max = depth;
    if (depth > MAX_JSON_DEPTH) return depth;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth]);
  }
  return max;
}

/**
 * The name of the top-level field of a JSON object text whose value nests too deep, or undefined
 * when the text is within the limit. A too-deep text that is not an object is named `(body)`.
 */
export function tooDeepField(text: string, limit = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | undefined;
  let topIsObject = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inString = false;
        // A string at depth 1 of an object followed by ':' is a top-level key.
        if (depth === 1 && topIsObject && /^\s*:/.test(text.slice(i + 1, i + 64))) {
          try {
            lastKey = JSON.parse(text.slice(stringStart, i + 1)) as string;
          } catch {
            lastKey = text.slice(stringStart + 1, i);
          }
        }
      }
    } else if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) topIsObject = c === 0x7b;
      depth++;
      if (depth > limit) return topIsObject && lastKey !== undefined ? lastKey : '(body)';
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}
