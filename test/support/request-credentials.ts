import type { Test } from 'supertest';

/** Sends a request as the platform: the platform API key in X-Api-Key. */
export const withPlatformKey = (req: Test, platformKey: string): Test =>
  req.set('X-Api-Key', platformKey);

/** Sends a request as a signed-in user: the access token as `Authorization: Bearer`. */
export const withAccessToken = (req: Test, token: string): Test =>
  req.set('Authorization', `Bearer ${token}`);
