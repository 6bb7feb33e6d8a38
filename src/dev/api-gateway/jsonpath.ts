/**
 * The JSONPath subset API Gateway mapping templates use: `$`, `.name`, `['name']`, `[0]`, `[*]`,
 * `..name` is not supported by API Gateway either. A missing step yields undefined.
 */
export function evaluateJsonPath(root: unknown, path: string): unknown {
  const steps = parseSteps(path.trim());
  let current: unknown[] = [root];
  let multi = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (step === '*') {
        multi = true;
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      } else {
        const child = (value as Record<string, unknown>)[step];
        if (child !== undefined) next.push(child);
      }
    }
    current = next;
  }
  return multi ? current : current[0];
}

function parseSteps(path: string): string[] {
  if (!path.startsWith('$')) throw new Error(`Invalid JSONPath ${path}`);
  const steps: string[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      const match = /^[^.[\]]*/.exec(path.slice(i + 1))!;
      if (match[0]) steps.push(match[0]);
      i += 1 + match[0].length;
    } else if (ch === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw new Error(`Invalid JSONPath ${path}`);
      const inner = path.slice(i + 1, end).trim();
      steps.push(/^['"].*['"]$/.test(inner) ? inner.slice(1, -1) : inner);
      i = end + 1;
    } else {
      throw new Error(`Invalid JSONPath ${path}`);
    }
  }
  return steps;
}
