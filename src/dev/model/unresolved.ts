/**
 * A value that has no local equivalent (a custom resource's output, an SSM parameter read at
 * deploy time, ...). It stays in the resolved properties as a marker so one odd property never
 * stops `sprout dev`; consumers that need the value report the reason.
 */
export interface Unresolved {
  unresolved: string;
}

export function unresolved(reason: string): Unresolved {
  return { unresolved: reason };
}

export function isUnresolved(value: unknown): value is Unresolved {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { unresolved?: unknown }).unresolved === 'string'
  );
}

/** Every unresolved marker below `value`, with its JSON path (for warnings and tests). */
export function findUnresolved(value: unknown, path = ''): Array<{ path: string; reason: string }> {
  if (isUnresolved(value)) return [{ path, reason: value.unresolved }];
  if (Array.isArray(value)) return value.flatMap((item, index) => findUnresolved(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => findUnresolved(item, path ? `${path}.${key}` : key));
  }
  return [];
}
