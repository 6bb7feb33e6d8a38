import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, SOURCES_ENVIRONMENT_BUDGET, toResourceName } from '../infra/config.js';
import { decodeSources, encodeSources } from '../src/lib/sources.js';

const sprout = JSON.parse(readFileSync(new URL('../sprout.json', import.meta.url), 'utf8'));
const withOptions = (options: Record<string, unknown>) => ({ ...sprout, options: { ...sprout.options, ...options } });
const withSources = (sources: unknown, options: Record<string, unknown> = {}) => ({ ...withOptions(options), sources });
const profile = { url: 'https://profile.example.com/customers/{customerId}' };

describe('config from sprout.json', () => {
  it('reads the project file and defaults to its defaultStage', () => {
    const config = loadConfig();
    expect(config.stage).toBe(sprout.defaultStage);
    expect(config.options).toMatchObject(sprout.options);
    expect(config.stackName).toBe(`${toResourceName(sprout.name)}-${sprout.defaultStage}`);
  });

  it('uses the stage given with -c stage=, but only a stage the file declares', () => {
    const twoStages = { ...sprout, stages: { local: {}, prod: {} } };
    expect(resolveConfig(twoStages, 'prod').stackName).toMatch(/-prod$/);
    expect(() => resolveConfig(twoStages, 'staging')).toThrow(/stage "staging" is not one of the stages in sprout.json \(local, prod\)/);
  });

  it.each([
    ['my-service', 'my-service'],
    ['@acme/shop', 'acme-shop'],
    ['1st-app', 'app-1st-app'],
  ])('derives a stack-safe name from %s', (packageName, expected) => {
    expect(toResourceName(packageName)).toBe(expected);
    expect(resolveConfig({ ...sprout, name: packageName }).stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });

  it.each([
    [{ defaultTimeoutMs: 50 }, /options.defaultTimeoutMs must be an integer from 100 to 28000 \(got 50\)/],
    [{ functionTimeoutSeconds: 30 }, /options.functionTimeoutSeconds must be an integer from 1 to 29/],
    [{ sourcesRequiredByDefault: 'yes' }, /options.sourcesRequiredByDefault must be true or false/],
    [{ demoSources: undefined }, /options.demoSources must be true or false/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveConfig(withOptions(options))).toThrow(message);
  });
});

describe('sources (the top-level "sources" of sprout.json)', () => {
  it('reads the sample sources in file order, with the defaults applied where a source sets nothing', () => {
    expect(resolveConfig(sprout).options.sources).toEqual([
      { name: 'profile', url: '/demo/profile?customerId={customerId}&delayMs=150', timeoutMs: 1000, required: true },
      // orders sets no timeoutMs: defaultTimeoutMs applies.
      { name: 'orders', url: '/demo/orders?customerId={customerId}&delayMs=300', timeoutMs: sprout.options.defaultTimeoutMs, required: true },
      { name: 'recommendations', url: '/demo/recommendations?customerId={customerId}&delayMs=250', timeoutMs: 800, required: false },
      // loyalty sets neither: sourcesRequiredByDefault (false) applies.
      { name: 'loyalty', url: '/demo/loyalty?customerId={customerId}&delayMs=1500', timeoutMs: 500, required: false },
    ]);
  });

  it('applies defaultTimeoutMs and sourcesRequiredByDefault to a source that sets no timeoutMs or required', () => {
    const [source] = resolveConfig(withSources({ profile }, { defaultTimeoutMs: 1234, sourcesRequiredByDefault: true })).options.sources;
    expect(source).toEqual({ name: 'profile', url: profile.url, timeoutMs: 1234, required: true });
  });

  it('lets a source\'s own timeoutMs and required win over the defaults', () => {
    const [source] = resolveConfig(withSources({ profile: { ...profile, timeoutMs: 250, required: false } }, { sourcesRequiredByDefault: true })).options.sources;
    expect(source).toMatchObject({ timeoutMs: 250, required: false });
  });

  it('encodes the sources for the function in a form it reads back unchanged', () => {
    const { sources } = resolveConfig(sprout).options;
    expect(decodeSources(encodeSources(sources), 'https://example.execute-api.eu-west-1.amazonaws.com/local')).toEqual(sources);
  });

  it.each<[string, unknown, Record<string, unknown>, RegExp]>([
    ['no sources', undefined, {}, /"sources" must be an object with at least one source/],
    ['an empty object', {}, {}, /"sources" must be an object with at least one source/],
    ['a list', [profile], {}, /"sources" must be an object with at least one source/],
    ['a bad name', { 'my profile': profile }, {}, /source name "my profile" must start with a letter/],
    ['a source that is a string', { profile: 'https://x.example.com' }, {}, /sources.profile must be an object with "url"/],
    ['a misspelled field', { profile: { ...profile, timeout: 500 } }, {}, /sources.profile has unknown field\(s\) "timeout" \(expected url, timeoutMs, required\)/],
    ['no url', { profile: { timeoutMs: 500 } }, {}, /sources.profile.url must be an https:\/\/ URL, or a path on this API/],
    ['an http URL', { profile: { url: 'http://profile.example.com/x' } }, {}, /sources.profile.url must use https \(got "http:\/\/profile.example.com\/x"\)/],
    ['a URL that is not one', { profile: { url: 'profile.example.com/x' } }, {}, /sources.profile.url must be an https:\/\/ URL/],
    ['credentials in the URL', { profile: { url: 'https://user:secret@profile.example.com/x' } }, {}, /sources.profile.url must not hold credentials/],
    ['a placeholder in the host', { profile: { url: 'https://{tenant}.example.com/x' } }, {}, /sources.profile.url has a placeholder in its host name/],
    ['a placeholder that is no parameter name', { profile: { url: 'https://p.example.com/{customer id}' } }, {}, /sources.profile.url has the placeholder \{customer id\}/],
    ['an unbalanced brace', { profile: { url: 'https://p.example.com/{customerId' } }, {}, /sources.profile.url has an unbalanced \{ or \}/],
    ['a timeout that is not an integer', { profile: { ...profile, timeoutMs: 'fast' } }, {}, /sources.profile.timeoutMs must be an integer from 1 to 9500 \(got "fast"\)/],
    ['required that is not a boolean', { profile: { ...profile, required: 'yes' } }, {}, /sources.profile.required must be true or false \(got "yes"\)/],
    ['a demo path without the demo sources', { profile: { url: '/demo/profile' } }, { demoSources: false }, /sources.profile.url is a demo source \(\/demo\/profile\), but options.demoSources is false/],
  ])('refuses %s, naming the source and the field', (_, sources, options, message) => {
    expect(() => resolveConfig(withSources(sources, options))).toThrow(message);
  });

  it('refuses a source timeout that does not end 500 ms before the function timeout, and says which setting to change', () => {
    expect(() => resolveConfig(withSources({ profile: { ...profile, timeoutMs: 4_600 } }, { functionTimeoutSeconds: 5 }))).toThrow(
      /sources.profile.timeoutMs must be an integer from 1 to 4500 \(got 4600\): a source timeout must end at least 500 ms before the function timeout \(options.functionTimeoutSeconds = 5\)/,
    );
    expect(resolveConfig(withSources({ profile: { ...profile, timeoutMs: 4_500 } }, { functionTimeoutSeconds: 5 })).options.sources[0]?.timeoutMs).toBe(4_500);
  });

  it('names defaultTimeoutMs when it is the default timeout that is too long', () => {
    expect(() => resolveConfig(withSources({ profile }, { functionTimeoutSeconds: 3, defaultTimeoutMs: 3_000 }))).toThrow(
      /sources.profile.timeoutMs must be an integer from 1 to 2500 \(got 3000 \(options.defaultTimeoutMs, since the source sets no timeoutMs\)\)/,
    );
  });

  it('accepts paths on this API that are not demo sources when the demo sources are off', () => {
    expect(resolveConfig(withSources({ health: { url: '/health' } }, { demoSources: false })).options.sources[0]?.url).toBe('/health');
  });

  it('refuses sources that would not fit in Lambda\'s 4 KB of environment variables', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`source${i}`, { url: `https://service-${i}.internal.example.com/v1/customers/{customerId}/details` }]));
    expect(encodeSources(resolveConfig(withSources(Object.fromEntries(Object.entries(many).slice(0, 10)))).options.sources).length).toBeLessThan(SOURCES_ENVIRONMENT_BUDGET);
    expect(() => resolveConfig(withSources(many))).toThrow(/"sources" take \d+ bytes as the function's SOURCES environment variable, more than the 3584 it can have: Lambda allows 4 KB/);
  });
});
