#!/usr/bin/env node
// `npx create-sprout my-app` and `npm create sprout my-app` are `sprout create my-app`.
import { execute } from '@oclif/core';

await execute({ args: ['create', ...process.argv.slice(2)], dir: import.meta.url });
