// The runtime configuration: /config.json, written next to index.html by the stack at deploy
// time (the API's URL is only known then), or by the local dev server. Reading it at start keeps
// one build for every stage.

export interface RuntimeConfig {
  /** Base URL of the items API. */
  apiUrl: string;
  /** Whatever else the stack writes (patterns built on this one add their own keys). */
  [key: string]: string;
}

export async function loadRuntimeConfig(url: string | URL = 'config.json', fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): Promise<RuntimeConfig> {
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`Could not load ${String(url)}: HTTP ${response.status}`);
  let config: unknown;
  try {
    config = await response.json();
  } catch {
    throw new Error(`${String(url)} is not JSON (is the SPA fallback answering for a missing file?)`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${String(url)} must hold a JSON object`);
  const entries = Object.entries(config as Record<string, unknown>);
  const notStrings = entries.filter(([, value]) => typeof value !== 'string').map(([key]) => key);
  if (notStrings.length) throw new Error(`${String(url)}: ${notStrings.join(', ')} must be strings`);
  const result = Object.fromEntries(entries) as Record<string, string>;
  if (!result.apiUrl) throw new Error(`${String(url)} has no apiUrl`);
  return result as RuntimeConfig;
}
