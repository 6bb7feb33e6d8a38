/** See edge-router-bundle.mjs. */
export function bundleEdgeRouter(settings: object): Promise<{ code: string; inputs: string[] }>;
