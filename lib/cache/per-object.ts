/**
 * `compute`, worked out once per object and remembered for as long as the object lives (a
 * WeakMap): for what an object's shape settles once and for all, asked on a hot path (a drizzle
 * table's config, say, which drizzle builds anew on every call).
 */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V>();
  return (key) => {
    if (known.has(key)) return known.get(key) as V;
    const value = compute(key);
    known.set(key, value);
    return value;
  };
}
