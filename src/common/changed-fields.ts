/**
 * Copies each of `keys` that `requested` sets (not undefined) to a value other than `current`'s
 * onto `patch` (by default `current` itself), and names them in that order: the `changes` of an
 * update's audit event. For plain values only (compared with ===).
 */
export function copyChanges<T, K extends keyof T & string>(
  current: T,
  requested: { [P in K]?: T[P] },
  keys: readonly K[],
  patch: Partial<T> = current,
): K[] {
  const changed: K[] = [];
  for (const key of keys) {
    const value = requested[key];
    if (value === undefined || value === current[key]) continue;
    patch[key] = value;
    changed.push(key);
  }
  return changed;
}
