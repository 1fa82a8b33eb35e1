import type { Response } from 'supertest';
import type { TestApp } from '../support/test-app';
import type { SmtpSink } from '../support/smtp-sink';
import {
  awayFromStepEdge,
  base32Decode,
  independentTotp,
  parseOtpauth,
} from '../support/independent-totp';
import {
  createAsPlatform,
  createTenant,
  createUser,
  TestTenant,
  TestUser,
} from './tenants.factory';

export interface EmailChannelOptions {
  password?: string;
  username?: string;
}

/** A channel of `tenant` as the platform creates it (`POST …/channels`, answered 201): its id. */
export async function createChannel(
  t: TestApp,
  tenant: Pick<TestTenant, 'slug'>,
  channel: { type: string; name: string; enabled?: boolean; config: Record<string, unknown> },
): Promise<string> {
  const created = await createAsPlatform<{ id: string }>(
    t,
    `/v1/tenants/${tenant.slug}/channels`,
    channel,
  );
  return created.id;
}

/** An enabled email channel of `tenant` pointing at the test's SMTP sink. */
export function createEmailChannel(
  t: TestApp,
  tenant: TestTenant,
  smtp: SmtpSink,
  options: EmailChannelOptions = {},
): Promise<string> {
  return createChannel(t, tenant, {
    type: 'email',
    name: 'Test SMTP',
    enabled: true,
    config: {
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      ...(options.username
        ? { username: options.username, password: options.password ?? 'smtp-pass' }
        : {}),
      from: 'EFCX <no-reply@efcx.test>',
    },
  });
}

export interface TwoFactorSettingsBody {
  enabled: boolean;
  channelId: string | null;
  otp?: Partial<{
    length: number;
    ttlSeconds: number;
    resendCooldownSeconds: number;
    maxAttempts: number;
    maxResendsPerLogin: number;
  }>;
  lockout?: Partial<{ maxConsecutiveFailures: number; durationSeconds: number }>;
  recoveryCodes?: { enabled: boolean };
  rememberDevice?: { enabled?: boolean; days?: number };
}

export async function putTwoFactorSettings(
  t: TestApp,
  tenant: TestTenant,
  body: TwoFactorSettingsBody,
): Promise<Response> {
  return t
    .http()
    .put(`/v1/tenants/${tenant.slug}/settings/2fa`)
    .set('X-Api-Key', t.platformKey)
    .send(body)
    .expect(200);
}

/** Email channel on the sink and 2FA on (with `otp`/`lockout` overrides). Returns the channel id. */
export async function enableEmailTwoFactor(
  t: TestApp,
  tenant: TestTenant,
  smtp: SmtpSink,
  overrides: Omit<TwoFactorSettingsBody, 'enabled' | 'channelId'> = {},
): Promise<string> {
  const channelId = await createEmailChannel(t, tenant, smtp);
  await putTwoFactorSettings(t, tenant, { enabled: true, channelId, ...overrides });
  return channelId;
}

/** The admin's 2FA reset of a user (`DELETE …/users/{id}/2fa`, answered 204), with the platform key. */
export async function resetTwoFactor(
  t: TestApp,
  tenant: Pick<TestTenant, 'slug'>,
  userId: string,
): Promise<void> {
  await t
    .http()
    .delete(`/v1/tenants/${tenant.slug}/users/${userId}/2fa`)
    .set('X-Api-Key', t.platformKey)
    .expect(204);
}

/** `POST /v1/auth/login`; `extra` adds members to the body (a deviceToken, or a field to refuse). */
export function passwordLogin(
  t: TestApp,
  tenant: string,
  username: string,
  password: string,
  extra: object = {},
) {
  return t
    .http()
    .post('/v1/auth/login')
    .send({ tenant, username, password, ...extra });
}

export function mfaCall(
  t: TestApp,
  mfaToken: string,
  path: 'register' | 'verify' | 'resend',
  body: object = {},
) {
  return t
    .http()
    .post(`/v1/auth/2fa/${path}`)
    .set('Authorization', `Bearer ${mfaToken}`)
    .send(body);
}

/**
 * A user registered for email 2FA through the real flow (login, register, code from the sink,
 * verify). Returns the access token of that first sign-in.
 */
export async function registerByEmail(
  t: TestApp,
  smtp: SmtpSink,
  tenant: TestTenant,
  user: { username: string; password: string },
  address: string,
): Promise<string> {
  return (await registerByEmailAnswer(t, smtp, tenant, user, address)).accessToken;
}

/** The AUTHENTICATED answer of a registration (with `recoveryCodes` when the tenant hands them out). */
export interface RegistrationAnswer {
  accessToken: string;
  refreshToken: string;
  deviceToken: string;
  recoveryCodes?: string[];
}

/** registerByEmail's whole AUTHENTICATED answer. */
export async function registerByEmailAnswer(
  t: TestApp,
  smtp: SmtpSink,
  tenant: TestTenant,
  user: { username: string; password: string },
  address: string,
): Promise<RegistrationAnswer> {
  const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
  if (login.body.status !== 'TWO_FACTOR_REGISTRATION_REQUIRED')
    throw new Error(`expected registration, got ${JSON.stringify(login.body)}`);
  const before = smtp.to(address).length;
  await mfaCall(t, login.body.mfaToken, 'register', { destination: address }).expect(200);
  const code = await smtp.codeFor(address, before + 1);
  const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code }).expect(200);
  return verified.body as RegistrationAnswer;
}

/** Everything a test of the email factor starts from: see registeredEmailUser. */
export interface RegisteredEmailUser {
  tenant: TestTenant;
  user: TestUser;
  address: string;
  channelId: string;
  /** The registration's own sign-in: registerByEmailAnswer's answer. */
  registered: RegistrationAnswer;
}

/**
 * A fresh tenant with email 2FA on and a user registered at `<label>-<tenant slug>@acme.test`
 * through the real flow. The registration runs without a resend cooldown; `settings` are the
 * tenant's after it.
 */
export async function registeredEmailUser(
  t: TestApp,
  smtp: SmtpSink,
  settings: Omit<TwoFactorSettingsBody, 'enabled' | 'channelId'> = {},
  label = 'user',
): Promise<RegisteredEmailUser> {
  const tenant = await createTenant(t);
  const user = await createUser(t, tenant);
  const channelId = await enableEmailTwoFactor(t, tenant, smtp, {
    ...settings,
    otp: { ...settings.otp, resendCooldownSeconds: 0 },
  });
  const address = `${label}-${tenant.slug}@acme.test`;
  const registered = await registerByEmailAnswer(t, smtp, tenant, user, address);
  if (settings.otp?.resendCooldownSeconds !== 0)
    await putTwoFactorSettings(t, tenant, { enabled: true, channelId, ...settings });
  return { tenant, user, address, channelId, registered };
}

/** The channel the tenant's 2FA settings name now. */
export async function activeChannelId(t: TestApp, tenant: TestTenant): Promise<string> {
  const res = await t
    .http()
    .get(`/v1/tenants/${tenant.slug}/settings/2fa`)
    .set('X-Api-Key', t.platformKey)
    .expect(200);
  return res.body.channelId as string;
}

/** An enabled authenticator channel and 2FA on (with `otp`/`lockout` overrides). */
export async function enableAuthenticatorTwoFactor(
  t: TestApp,
  tenant: TestTenant,
  overrides: Omit<TwoFactorSettingsBody, 'enabled' | 'channelId'> = {},
): Promise<string> {
  const channelId = await createChannel(t, tenant, {
    type: 'authenticator',
    name: 'App',
    enabled: true,
    config: { issuer: 'Acme EFCX', digits: 6, periodSeconds: 30, algorithm: 'SHA1', window: 1 },
  });
  await putTwoFactorSettings(t, tenant, { enabled: true, channelId, ...overrides });
  return channelId;
}

/** An enrolled app, as the user's phone holds it: codes for now or any other time. */
export interface EnrolledApp {
  code: (epochSeconds?: number) => string;
}

/**
 * A user registered for the authenticator channel through the real flow (login, register, the
 * secret from the otpauth URI, the first code verified). The enrolment's step is spent: the
 * app's next codes are for later steps (`code(Date.now() / 1000 + 30)`).
 */
export async function enrollAuthenticator(
  t: TestApp,
  tenant: TestTenant,
  user: { username: string; password: string },
): Promise<EnrolledApp & EnrolledSignIn> {
  await awayFromStepEdge(30, 5);
  const login = await passwordLogin(t, tenant.slug, user.username, user.password).expect(200);
  const reg = await mfaCall(t, login.body.mfaToken, 'register', {}).expect(200);
  const uri = parseOtpauth(reg.body.otpauthUri as string);
  const secret = base32Decode(uri.secret);
  const opts = { algorithm: uri.algorithm, digits: uri.digits, period: uri.period };
  const app: EnrolledApp = { code: (at = Date.now() / 1000) => independentTotp(secret, opts, at) };
  const verified = await mfaCall(t, login.body.mfaToken, 'verify', { code: app.code() }).expect(
    200,
  );
  const answer = verified.body as EnrolledSignIn;
  return { ...app, ...answer, recoveryCodes: answer.recoveryCodes ?? [] };
}

/** The enrolment's own sign-in: its tokens and the first recovery codes (when handed out). */
export interface EnrolledSignIn {
  accessToken: string;
  refreshToken: string;
  recoveryCodes: string[];
}
