import { readFileSync } from 'node:fs';

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * The versions sprout itself is tested with (its own dependencies and devDependencies).
 * Generated projects get exactly these, so what the template harness tests is what users get.
 */
export function ownDependencyVersions(packageJsonUrl = new URL('../../package.json', import.meta.url)): Record<string, string> {
  const pkg = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as PackageJson;
  return { ...pkg.devDependencies, ...pkg.dependencies };
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** Rewrites each dependency's version to ours where we have one; returns the names we had no version for. */
export function pinDependencyVersions(pkg: Record<string, unknown>, versions: Record<string, string>): string[] {
  const unknown: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = pkg[field];
    if (!deps || typeof deps !== 'object') continue;
    for (const name of Object.keys(deps)) {
      const version = versions[name];
      if (version) (deps as Record<string, string>)[name] = version;
      else unknown.push(name);
    }
  }
  return unknown;
}
