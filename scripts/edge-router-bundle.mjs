// The edge router's bundle as the web templates build it (infra/constructs/release-router.ts has the
// same esbuild call): one minified CommonJS file for Node.js 22 with the settings defined in. Used by
// the bundle-size test and `npm run bench`.
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Returns the bundle's code and the source files it contains (relative to the repository). */
export async function bundleEdgeRouter(settings) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/runtime/edge-router/handler.ts'],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { SPROUT_EDGE_ROUTER: JSON.stringify(settings) },
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}
