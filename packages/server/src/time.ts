/** ISO-8601 UTC with milliseconds and `Z`, the timestamp format of every object the API returns. */
export function nowIso(): string {
  return new Date().toISOString();
}
