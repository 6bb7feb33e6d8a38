export { loadApp, buildApp, type LoadOptions } from './app.js';
export { readAssembly, type Assembly, type AssemblyStack, type CfnTemplate } from './assembly.js';
export { supportOf, supportOfResource, summarizeSupport, type Support, type SupportLevel } from './support.js';
export { isUnresolved, findUnresolved, type Unresolved } from './unresolved.js';
export { functionArnOf, LOCAL_STREAM_LABEL } from './identities.js';
