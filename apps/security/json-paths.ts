/** A place in a JSON value: object keys and array indexes. */
export type Path = ReadonlyArray<string | number>;

export const pathName = (path: Path) => path.join(".");

/** A deep copy of `value` with `path` set to `replacement` (or removed, when `remove`). */
export function edited(value: unknown, path: Path, replacement: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}

export const withValue = (value: unknown, path: Path, replacement: unknown) => edited(value, path, replacement);
export const without = (value: unknown, path: Path) => edited(value, path, undefined, true);
