import validate from 'validate-npm-package-name';

export interface NameCheck {
  valid: boolean;
  /** Why npm would refuse it, in npm's words. */
  problems: string[];
}

/** A project name must be a valid name for a new npm package (it becomes package.json's "name"). */
export function checkPackageName(name: string): NameCheck {
  const result = validate(name);
  const problems = [...(result.errors ?? []), ...(result.warnings ?? [])];
  return { valid: result.validForNewPackages, problems };
}

/** A valid package name close to what the user typed ("My App!" → "my-app"), for suggestions and defaults. */
export function toPackageName(raw: string): string {
  const scoped = /^@([^/]+)\/(.+)$/.exec(raw);
  if (scoped) return `@${slug(scoped[1]!)}/${slug(scoped[2]!)}`;
  return slug(raw) || 'my-app';
}

function slug(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[-._]+|-+$/g, '')
    .replace(/-{2,}/g, '-');
}
