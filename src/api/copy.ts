// Deep copies of API objects: plain JSON-shaped data (objects, arrays, strings, numbers,
// booleans, null, and undefined-valued fields as code builds them).

/**
 * A deep copy of JSON-shaped data, unfrozen and sharing nothing with the original. Anything
 * that is not a plain object or array (a Date, a Map) is copied by structuredClone, which keeps
 * its type; for plain data this is several times faster than structuredClone.
 */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = deepCopy(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = deepCopy((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * What JSON.parse(JSON.stringify(v)) gives for JSON-shaped data, without the text in between:
 * object fields holding undefined are dropped, undefined in an array becomes null.
 */
export function jsonCopy<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] === undefined ? null : jsonCopy(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return JSON.parse(JSON.stringify(v)) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = jsonCopy(x);
  }
  return out as T;
}
