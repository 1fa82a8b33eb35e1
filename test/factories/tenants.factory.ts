import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/test-app';

export interface TestTenant {
  id: string;
  slug: string;
  name: string;
  admin: { username: string; password: string };
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  roles: string[];
}

export const uniqueSlug = (prefix = 't') => `${prefix}-${randomBytes(5).toString('hex')}`;
export const strongPassword = () => `pw-${randomBytes(12).toString('base64url')}`;

/** `POST path` with the platform key, answered 201: what was created. */
export async function createAsPlatform<T>(t: TestApp, path: string, body: object): Promise<T> {
  const res = await t.http().post(path).set('X-Api-Key', t.platformKey).send(body).expect(201);
  return res.body as T;
}

/** A fresh tenant with its first admin, created through the platform API. */
export async function createTenant(
  t: TestApp,
  overrides: { slug?: string } = {},
): Promise<TestTenant> {
  const slug = overrides.slug ?? uniqueSlug();
  const admin = { username: 'admin', password: strongPassword() };
  const created = await createAsPlatform<{ id: string; name: string }>(t, '/v1/tenants', {
    slug,
    name: `Tenant ${slug}`,
    admin,
  });
  return { id: created.id, slug, name: created.name, admin };
}

/** A user of `tenant`, created by the platform key through the admin API. */
export async function createUser(
  t: TestApp,
  tenant: TestTenant,
  overrides: { username?: string; password?: string; roles?: string[]; email?: string } = {},
): Promise<TestUser> {
  const body = {
    username: overrides.username ?? `user-${randomBytes(4).toString('hex')}`,
    password: overrides.password ?? strongPassword(),
    roles: overrides.roles ?? ['agent'],
    ...(overrides.email ? { email: overrides.email } : {}),
  };
  const created = await createAsPlatform<{ id: string }>(
    t,
    `/v1/tenants/${tenant.slug}/users`,
    body,
  );
  return { id: created.id, username: body.username, password: body.password, roles: body.roles };
}

/** Signs in and returns the access token (2FA off). */
export async function login(
  t: TestApp,
  tenantSlug: string,
  username: string,
  password: string,
): Promise<string> {
  const res = await t
    .http()
    .post('/v1/auth/login')
    .send({ tenant: tenantSlug, username, password })
    .expect(200);
  return res.body.accessToken as string;
}

export const adminToken = (t: TestApp, tenant: TestTenant) =>
  login(t, tenant.slug, tenant.admin.username, tenant.admin.password);

/** A user as the tenant admin sees it (`GET /v1/tenants/{slug}/users/{id}`), read with the platform key. */
export async function adminUserView(
  t: TestApp,
  tenant: TestTenant,
  userId: string,
): Promise<{ twoFactor: Record<string, unknown> } & Record<string, unknown>> {
  const res = await t
    .http()
    .get(`/v1/tenants/${tenant.slug}/users/${userId}`)
    .set('X-Api-Key', t.platformKey)
    .expect(200);
  return res.body as { twoFactor: Record<string, unknown> } & Record<string, unknown>;
}

/** Changes a user through the admin API with the platform key (`PATCH`, answered 200). */
export async function updateUser(
  t: TestApp,
  tenant: Pick<TestTenant, 'slug'>,
  userId: string,
  changes: Record<string, unknown>,
): Promise<void> {
  await t
    .http()
    .patch(`/v1/tenants/${tenant.slug}/users/${userId}`)
    .set('X-Api-Key', t.platformKey)
    .send(changes)
    .expect(200);
}

/** Disables a tenant through the platform API. */
export async function disableTenant(t: TestApp, tenant: Pick<TestTenant, 'slug'>): Promise<void> {
  await t
    .http()
    .patch(`/v1/tenants/${tenant.slug}`)
    .set('X-Api-Key', t.platformKey)
    .send({ status: 'disabled' })
    .expect(200);
}
