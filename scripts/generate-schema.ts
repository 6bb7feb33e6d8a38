// npm run schema: writes schemas/sprout.schema.json from the zod schema in src/project/schema.ts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { projectJsonSchema } from '../src/project/schema.js';

const file = fileURLToPath(new URL('../schemas/sprout.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
