/**
 * A JSON merge patch (RFC 7386) that turns `from` into `to` at the top level: changed keys
 * are set, keys that disappeared are set to null (merge patch's delete). Nested objects are
 * replaced whole, which is what a status owned by one writer wants (conditions included).
 * Undefined when nothing changed.
 */
export function mergePatchFor(
  from: Record<string, unknown> | undefined,
  to: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const old = from ?? {};
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    if (!deepEqual(old[k], v)) patch[k] = v;
  }
  for (const k of Object.keys(old)) {
    if (to[k] === undefined && old[k] !== undefined) patch[k] = null;
  }
  return Object.keys(patch).length ? patch : undefined;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter(
    (k) => (a as Record<string, unknown>)[k] !== undefined,
  );
  const kb = Object.keys(b as object).filter(
    (k) => (b as Record<string, unknown>)[k] !== undefined,
  );
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
