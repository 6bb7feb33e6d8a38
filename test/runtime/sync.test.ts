import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { RUNTIME, runtimeFiles, runtimeTargets } from '../../scripts/sync-runtime.js';

describe('code shipped into generated projects (src/runtime)', () => {
  it('is carried by the templates that deploy through sprout', () => {
    const [cdk] = RUNTIME;
    expect(runtimeTargets(cdk.into).map((t) => t.split('/templates/')[1])).toContain('backend-api/files/infra/sprout');
    expect(runtimeFiles(cdk.source)).toContain('service-domain.ts');
  });

  it('ships the experiments helper (recording conversions) into the spa, and through it into the templates built on it', () => {
    const experiments = RUNTIME.find(({ into }) => into.join('/') === 'src/sprout/experiments')!;
    expect(runtimeTargets(experiments.into).map((t) => t.split('/templates/')[1])).toContain('spa/files/src/sprout/experiments');
    expect(runtimeFiles(experiments.source)).toEqual(['conversions.ts']);
  });

  const copies = RUNTIME.flatMap(({ source, into }) => runtimeTargets(into).map((target) => ({ source, target })));
  it.each(copies)('$target is an exact copy of its source (npm run sync:runtime)', ({ source, target }) => {
    for (const file of runtimeFiles(source)) {
      expect(readFileSync(join(target, file), 'utf8'), `${file} in ${target}`).toBe(readFileSync(join(source, file), 'utf8'));
    }
  });
});
