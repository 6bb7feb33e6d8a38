import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, withCors } from '../src/lib/http.js';

const ok = json(200, { ok: true });
const from = (origin?: string) => ({ headers: origin ? { Origin: origin } : {} });

describe('CORS headers', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('sends none when the project allows no other origin (the default)', () => {
    vi.stubEnv('CORS_ALLOW_ORIGINS', '');
    expect(withCors(from('https://d111.cloudfront.net'), ok).headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('echoes an allowed origin and varies the cache on it', () => {
    vi.stubEnv('CORS_ALLOW_ORIGINS', 'https://d111.cloudfront.net,http://localhost:5173');
    expect(withCors(from('http://localhost:5173'), ok).headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      vary: 'Origin',
      'content-type': 'application/json',
    });
  });

  it('says nothing to an origin that is not allowed, or a request without one', () => {
    vi.stubEnv('CORS_ALLOW_ORIGINS', 'https://d111.cloudfront.net');
    expect(withCors(from('https://evil.example'), ok).headers).not.toHaveProperty('access-control-allow-origin');
    expect(withCors(from(), ok).headers).not.toHaveProperty('access-control-allow-origin');
  });
});
