import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runtimeFiles, runtimeSource, runtimeTargets } from '../../scripts/sync-runtime.js';

describe('code shipped into generated projects (src/runtime/cdk)', () => {
  const targets = runtimeTargets();

  it('is carried by the templates that deploy through sprout', () => {
    expect(targets.map((t) => t.split('/templates/')[1])).toContain('backend-api/files/infra/sprout');
    expect(runtimeFiles()).toContain('service-domain.ts');
  });

  it.each(targets)('%s is an exact copy of the source (npm run sync:runtime)', (target) => {
    for (const file of runtimeFiles()) {
      expect(readFileSync(join(target, file), 'utf8'), `${file} in ${target}`).toBe(readFileSync(join(runtimeSource, file), 'utf8'));
    }
  });
});
