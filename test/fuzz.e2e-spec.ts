import fc from 'fast-check';
import type { Response } from 'supertest';
import { createTenant, createUser, TestTenant } from './factories/tenants.factory';
import { createEmailChannel, passwordLogin } from './factories/two-factor.factory';
import { SmtpSink } from './support/smtp-sink';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from './support/test-app';

/**
 * Property-based fuzzing of every operation the running service lists in `GET /docs-json`:
 * generated path parameters, query strings, bodies, credentials and content types. Whatever comes
 * in, the answer is never a 5xx, and every 4xx is API.md's error shape.
 *
 * Reproduce a failure with the seed (and path) fast-check prints: FUZZ_SEED=<seed> FUZZ_PATH=<path>.
 */

const NUM_RUNS = 2000;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

/** Field names of a body, nested where a field is an object (`otp.length`). */
type Fields = { [name: string]: Fields | null };

interface Operation {
  method: Method;
  path: string;
  key: string;
  pathParams: string[];
  queryParams: string[];
  fields: Fields;
  hasBody: boolean;
  security: string[];
}

/**
 * What API.md says the bodies and query strings hold, for when the served document leaves the DTOs
 * empty (the @nestjs/swagger CLI plugin that fills them runs in `nest build`, not under ts-jest).
 * Merged with whatever the document declares, so the fuzzer keeps up with the document.
 */
const CHANNEL_FIELDS: Fields = {
  type: null,
  name: null,
  enabled: null,
  config: {
    host: null,
    port: null,
    secure: null,
    username: null,
    password: null,
    from: null,
    issuer: null,
    digits: null,
    periodSeconds: null,
    algorithm: null,
    window: null,
  },
};
const API_MD_FIELDS: Record<string, Fields> = {
  'POST /v1/tenants': {
    slug: null,
    name: null,
    admin: { username: null, password: null, email: null, displayName: null },
  },
  'PATCH /v1/tenants/{slug}': { name: null, status: null },
  'POST /v1/tenants/{slug}/users': {
    username: null,
    password: null,
    roles: null,
    displayName: null,
    email: null,
  },
  'PATCH /v1/tenants/{slug}/users/{id}': {
    displayName: null,
    roles: null,
    password: null,
    disabled: null,
    email: null,
  },
  'PUT /v1/tenants/{slug}/settings/2fa': {
    enabled: null,
    channelId: null,
    otp: {
      length: null,
      ttlSeconds: null,
      resendCooldownSeconds: null,
      maxAttempts: null,
      maxResendsPerLogin: null,
    },
    lockout: { maxConsecutiveFailures: null, durationSeconds: null },
  },
  'POST /v1/tenants/{slug}/channels': CHANNEL_FIELDS,
  'PATCH /v1/tenants/{slug}/channels/{id}': CHANNEL_FIELDS,
  'POST /v1/tenants/{slug}/channels/{id}/test': { to: null },
  'POST /v1/auth/login': { tenant: null, username: null, password: null },
  'POST /v1/auth/refresh': { refreshToken: null },
  'POST /v1/auth/2fa/register': { destination: null, email: null },
  'POST /v1/auth/2fa/verify': { code: null },
};
const API_MD_QUERY: Record<string, string[]> = {
  'GET /v1/tenants/{slug}/users': ['limit', 'cursor', 'username', 'sharedEmail'],
  'GET /v1/tenants/{slug}/audit-events': ['type', 'userId', 'from', 'to', 'limit', 'cursor'],
};

// ---------------------------------------------------------------------------------------------
// The OpenAPI document → operations
// ---------------------------------------------------------------------------------------------

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}
interface Parameter {
  name: string;
  in: string;
  schema?: Schema;
}
interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, OpenApiOperation>>>;
  components?: { schemas?: Record<string, Schema> };
}

function schemaFields(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Fields {
  if (!schema || depth > 4) return {};
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    return schemaFields(doc, doc.components?.schemas?.[name], depth + 1);
  }
  const fields: Fields = {};
  for (const part of schema.allOf ?? []) Object.assign(fields, schemaFields(doc, part, depth + 1));
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const nested = schemaFields(doc, prop.items ?? prop, depth + 1);
    fields[name] = Object.keys(nested).length ? nested : null;
  }
  return fields;
}

function mergeFields(a: Fields, b: Fields): Fields {
  const out: Fields = { ...a };
  for (const [name, sub] of Object.entries(b)) {
    const mine = out[name];
    out[name] = mine && sub ? mergeFields(mine, sub) : (mine ?? sub);
  }
  return out;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const params = op.parameters ?? [];
      const declaredPath = params.filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const queryParams = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
      for (const q of API_MD_QUERY[key] ?? []) queryParams.add(q);
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        method,
        path,
        key,
        pathParams: [...new Set([...inTemplate, ...declaredPath])],
        queryParams: [...queryParams],
        fields: mergeFields(schemaFields(doc, bodySchema), API_MD_FIELDS[key] ?? {}),
        hasBody: Boolean(op.requestBody),
        security: (op.security ?? []).flatMap((s) => Object.keys(s)),
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// The world the requests run against: two tenants, credentials re-created whenever spent
// ---------------------------------------------------------------------------------------------

interface World {
  /** The tenant whose admin holds `access`: 2FA off. */
  admin: TestTenant;
  /** The tenant whose users get `mfa`: 2FA on, email channel on the SMTP sink. */
  mfa: TestTenant;
  access: string;
  refresh: string;
  mfaToken: string;
  userIds: string[];
  channelIds: string[];
  usernames: string[];
  stale: boolean;
  restores: number;
}

/** A value that only exists at request time (tokens and ids change as the world is restored). */
type Live =
  | 'slug:admin'
  | 'slug:mfa'
  | 'userId'
  | 'channelId'
  | 'username'
  | 'refreshToken'
  | 'accessToken'
  | 'mfaToken';
interface LiveRef {
  live: Live;
  n: number;
}
const isLive = (v: unknown): v is LiveRef =>
  typeof v === 'object' && v !== null && 'live' in v && 'n' in v && Object.keys(v).length === 2;

function resolveLive(w: World, ref: LiveRef): string {
  const pick = (list: string[]) => list[ref.n % list.length] ?? 'none';
  switch (ref.live) {
    case 'slug:admin':
      return w.admin.slug;
    case 'slug:mfa':
      return w.mfa.slug;
    case 'userId':
      return pick(w.userIds);
    case 'channelId':
      return pick(w.channelIds);
    case 'username':
      return pick(w.usernames);
    case 'refreshToken':
      return w.refresh;
    case 'accessToken':
      return w.access;
    case 'mfaToken':
      return w.mfaToken;
  }
}

const liveArb = (...kinds: Live[]) =>
  fc.record({ live: fc.constantFrom(...kinds), n: fc.nat(50) }) as fc.Arbitrary<LiveRef>;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const alnumString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...ALNUM.split('')), minLength, maxLength });
const CONTROL = fc.constantFrom('\u0000', '\n', '\r\n', '\t', '\u001b[31m', '\u007f', '\u0008');
const EXOTIC = fc.constantFrom(
  '😀',
  '👨‍👩‍👧‍👦',
  'שלום',
  'مرحبا',
  '\u202eevil\u202c',
  '\u200b',
  '\ufeff',
  'Ω≈ç√',
  'ｆｕｌｌ',
  '\ud800',
  'ǅ',
  'İ',
);
/** Text with unicode (emoji, RTL, zero-width), control characters and plain ASCII mixed. */
const weirdText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
      { weight: 2, arbitrary: EXOTIC },
      { weight: 1, arbitrary: CONTROL },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));
/** Up to ~5,000 characters: ASCII, or unicode that percent-encodes to several bytes each. */
const hugeText = fc.oneof(
  fc.integer({ min: 257, max: 5000 }).map((n) => 'x'.repeat(n)),
  alnumString(1000, 5000),
  fc.string({ unit: 'grapheme', minLength: 500, maxLength: 5000 }),
  fc.integer({ min: 100, max: 2500 }).map((n) => '😀'.repeat(n)),
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: weirdText },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom(' ', 'null', 'true', '0', '-1', 'NaN', '1e309') },
);

const uuidLike = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '00000000-0000-4000-8000-00000000000',
    '00000000-0000-4000-8000-0000000000000',
    '{00000000-0000-4000-8000-000000000000}',
    '00000000000040008000000000000000',
    'not-a-uuid',
  ),
);

/** A path segment, already in its URL form (percent-encoded, or deliberately raw). */
const pathSegment = (name: string): fc.Arbitrary<string | LiveRef> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary:
        name === 'slug'
          ? liveArb('slug:admin', 'slug:mfa')
          : name === 'id'
            ? liveArb('userId', 'channelId')
            : liveArb('slug:admin', 'userId'),
    },
    { weight: 3, arbitrary: uuidLike },
    { weight: 1, arbitrary: alnumString(1, 70) },
    { weight: 2, arbitrary: text.map(encodeURIComponent) },
    { weight: 1, arbitrary: hugeText.map(encodeURIComponent) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '',
        '%00',
        '%0a',
        '%0d%0a',
        'a%00b',
        '%1b%5b31m',
        '%7f',
        '..%2f',
        '..%2F..%2F..%2Fhealth%2Flive',
        '..',
        '.',
        '%2e%2e',
        '..%5c',
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%ff',
        '%F0%9F%98%80',
        '%D7%A9%D7%9C%D7%95%D7%9D',
        '%E2%80%AE',
        'a%2Fb',
        '__proto__',
        'constructor',
        'prototype',
      ),
    },
  );

/** A JSON value of the wrong kind for (almost) any field. */
const junkScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -0),
  text,
);
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: junkScalar },
  { weight: 1, arbitrary: fc.array(junkScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), junkScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant([]) },
);

/**
 * Values that pass a field's type so requests reach deeper code. None is a usable SMTP
 * host/port/secure flag: those fields only get junk, so no channel is ever pointed anywhere but the
 * sink (CHANNEL_ALLOWED_HOSTS also limits hosts to 127.0.0.1).
 */
const plausible = (field: string): fc.Arbitrary<unknown> => {
  if (['host', 'port', 'secure'].includes(field)) return junkValue;
  return fc.oneof(
    fc.constantFrom(
      true,
      false,
      'admin',
      ['admin'],
      ['agent'],
      [],
      'active',
      'disabled',
      'email',
      'authenticator',
      'sms',
      'SHA1',
      'SHA512',
      6,
      8,
      10,
      30,
      60,
      300,
      1,
      20,
      100,
      '123456',
      '00000000',
      'fuzz@efcx.test',
      'a long passphrase 1',
      'Fuzz Name',
    ),
    liveArb('slug:admin', 'slug:mfa', 'userId', 'channelId', 'username', 'refreshToken'),
    alnumString(2, 63),
  );
};

const fieldValue = (field: string, sub: Fields | null, depth: number): fc.Arbitrary<unknown> =>
  sub && depth < 3
    ? fc.oneof(
        { weight: 3, arbitrary: bodyObject(sub, depth + 1) },
        { weight: 2, arbitrary: junkValue },
      )
    : fc.oneof({ weight: 2, arbitrary: junkValue }, { weight: 2, arbitrary: plausible(field) });

/** An object with some known fields (right or wrong types) and perhaps some unknown ones. */
function bodyObject(fields: Fields, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  const known: fc.Arbitrary<Array<[string, unknown]>> = names.length
    ? fc
        .subarray(names)
        .chain((chosen) =>
          fc.tuple(
            ...chosen.map((n) =>
              fieldValue(n, fields[n], depth).map((v): [string, unknown] => [n, v]),
            ),
          ),
        )
    : fc.constant([]);
  const extra = fc.array(
    fc.tuple(
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('constructor', 'prototype', 'id')),
      junkValue,
    ),
    { maxLength: names.length ? 2 : 4 },
  );
  return fc
    .tuple(
      known,
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }),
    )
    .map(([a, b]) => Object.fromEntries([...(a as Array<[string, unknown]>), ...b]));
}

/** Resolves live references inside a generated body, then serialises it. */
function serialise(w: World, value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isLive(v) ? resolveLive(w, v) : v));
}

const deepObject = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

type RawBody = { raw: string } | { json: unknown } | { template: (w: World) => string };

/** Bodies as the bytes on the wire: structured, hand-written and adversarial JSON. */
const bodyArb = (op: Operation): fc.Arbitrary<RawBody> => {
  const names = Object.keys(op.fields);
  const someField = names.length
    ? fc.constantFrom(...names)
    : fc.constantFrom('a', 'name', 'code', 'destination');
  const dupKeys = fc
    .tuple(someField, junkValue, fc.oneof(junkValue, plausible('x')), bodyObject(op.fields))
    .map(([f, a, b, rest]) => ({
      template: (w: World) => {
        const restJson = serialise(w, rest).slice(1, -1);
        return `{${restJson}${restJson ? ',' : ''}"${f}":${serialise(w, a)},"${f}":${serialise(w, b)}}`;
      },
    }));
  const proto = fc
    .tuple(
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      fc.constantFrom('{"admin":true}', '{"prototype":{"polluted":1}}', 'null', '1', '[]'),
      fc.option(someField, { nil: undefined }),
    )
    .map(([k, v, f]) => ({ raw: f ? `{"${f}":{"${k}":${v}}}` : `{"${k}":${v}}` }));
  const deep = fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 2, max: 200 }) },
        { weight: 1, arbitrary: fc.integer({ min: 200, max: 10_000 }) },
      ),
      fc.boolean(),
      fc.option(someField, { nil: undefined }),
    )
    .map(([depth, arrays, f]) => {
      const inner = arrays ? deepArray(depth) : deepObject(depth);
      return { raw: f ? `{"${f}":${inner}}` : inner };
    });
  return fc.oneof(
    { weight: 8, arbitrary: bodyObject(op.fields).map((json) => ({ json })) },
    { weight: 2, arbitrary: junkValue.map((json) => ({ json })) },
    { weight: 2, arbitrary: dupKeys },
    { weight: 2, arbitrary: proto },
    { weight: 2, arbitrary: deep },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '',
          ' ',
          '{',
          '{"a":',
          '{}}',
          '{"a":1,}',
          "{'a':1}",
          'null',
          '[]',
          '"text"',
          '42',
          '-0',
          '1e309',
          '123456789012345678901234567890',
          'true',
          '{"a":NaN}',
          '{"a":Infinity}',
          '{"a":"\\ud800"}',
          '{"a":"\\u0000"}',
          '\ufeff{}',
          '{"a":1}garbage',
          '{"a":1}{"b":2}',
        )
        .map((raw) => ({ raw })),
    },
    { weight: 1, arbitrary: text.map((raw) => ({ raw })) },
  );
};

/** Query strings: declared/known keys and junk keys, wrong-typed and huge values, repeated keys. */
const queryArb = (op: Operation): fc.Arbitrary<Array<[string, string | LiveRef]>> => {
  const key = fc.oneof(
    ...(op.queryParams.length
      ? [{ weight: 6, arbitrary: fc.constantFrom(...op.queryParams).map(encodeURIComponent) }]
      : []),
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'limit',
        'cursor',
        '__proto__',
        'constructor',
        'prototype',
        '__proto__%5Badmin%5D',
        'a%5Bb%5D',
        'limit%5B%5D',
        '',
        '%00',
        'x',
      ),
    },
    { weight: 1, arbitrary: text.map(encodeURIComponent) },
  );
  const value: fc.Arbitrary<string | LiveRef> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        '0',
        '1',
        '-1',
        '200',
        '201',
        '1.5',
        '1e3',
        'NaN',
        'true',
        'false',
        'null',
        '%00',
        '%0a',
        '%zz',
        'LOGIN_FAILED',
        'USER_CREATED',
        'nope',
        '2024-01-01T00:00:00Z',
        '2024-13-45T99:99:99Z',
        '9999-12-31T23:59:59.999Z',
        '0000-01-01',
        'AAAA',
        '____',
        'dXNlcjox',
      ),
    },
    { weight: 2, arbitrary: liveArb('userId', 'username', 'channelId') },
    { weight: 2, arbitrary: uuidLike },
    { weight: 3, arbitrary: text.map(encodeURIComponent) },
    { weight: 1, arbitrary: hugeText.map(encodeURIComponent) },
  );
  const pair = fc.tuple(key, value);
  const repeated = fc
    .tuple(key, fc.array(value, { minLength: 2, maxLength: 4 }))
    .map(([k, vs]) => vs.map((v): [string, string | LiveRef] => [k, v]));
  return fc
    .tuple(
      fc.array(pair, { maxLength: 5 }),
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: repeated }),
    )
    .map(([a, b]) => [...a, ...b]);
};

type AuthKind =
  | 'none'
  | 'garbage'
  | 'bearer-random'
  | 'bearer-jwt-shaped'
  | 'platform-key'
  | 'wrong-key'
  | 'access-token'
  | 'mfa-token'
  | 'access-and-key'
  | 'mfa-as-key';
const authArb = fc.record({
  kind: fc.constantFrom<AuthKind>(
    'none',
    'garbage',
    'bearer-random',
    'bearer-jwt-shaped',
    'platform-key',
    'platform-key',
    'wrong-key',
    'access-token',
    'access-token',
    'access-token',
    'mfa-token',
    'mfa-token',
    'access-and-key',
    'mfa-as-key',
  ),
  // Header-safe text: printable ASCII, or Latin-1 (Node refuses anything else in a header).
  noise: fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({
      unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    }),
    fc.integer({ min: 100, max: 4000 }).map((n) => 'A'.repeat(n)),
  ),
});

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  null, // no Content-Type header at all
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json, text/plain',
] as const;

interface FuzzCase {
  op: Operation;
  segments: Record<string, string | LiveRef>;
  query: Array<[string, string | LiveRef]>;
  body: RawBody | null;
  contentType: string | null;
  auth: { kind: AuthKind; noise: string };
}

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

function describeSent(s: Sent, w: World): string {
  const secret = (v: string) =>
    v
      .replace(w.access, '<valid access token>')
      .replace(w.mfaToken, '<valid mfa token>')
      .replace(w.refresh, '<valid refresh token>');
  const headers = Object.fromEntries(
    Object.entries(s.headers).map(([k, v]) => [
      k,
      k === 'x-api-key' && v === platformKey ? '<valid platform key>' : clip(secret(v), 80),
    ]),
  );
  return [
    `${s.method.toUpperCase()} ${clip(s.url, 400)}`,
    `headers: ${JSON.stringify(headers)}`,
    `body: ${s.body === undefined ? '(none)' : JSON.stringify(clip(secret(s.body), 600))}`,
  ].join('\n');
}

let platformKey = '';

function buildRequest(w: World, c: FuzzCase): Sent {
  const value = (v: string | LiveRef) => (typeof v === 'string' ? v : resolveLive(w, v));
  const path = c.op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    isLive(c.segments[name])
      ? encodeURIComponent(value(c.segments[name]))
      : value(c.segments[name] ?? ''),
  );
  const query = c.query
    .map(([k, v]) => `${k}=${isLive(v) ? encodeURIComponent(value(v)) : v}`)
    .join('&');
  const headers: Record<string, string> = {};
  const { kind, noise } = c.auth;
  if (kind === 'garbage') headers.authorization = noise;
  if (kind === 'bearer-random') headers.authorization = `Bearer ${noise}`;
  if (kind === 'bearer-jwt-shaped')
    headers.authorization = `Bearer eyJhbGciOiJub25lIn0.${Buffer.from(noise).toString('base64url')}.`;
  if (kind === 'platform-key' || kind === 'access-and-key') headers['x-api-key'] = platformKey;
  if (kind === 'wrong-key') headers['x-api-key'] = noise || 'x';
  if (kind === 'access-token' || kind === 'access-and-key')
    headers.authorization = `Bearer ${w.access}`;
  if (kind === 'mfa-token') headers.authorization = `Bearer ${w.mfaToken}`;
  if (kind === 'mfa-as-key') headers['x-api-key'] = w.mfaToken;
  if (c.contentType !== null) headers['content-type'] = c.contentType;
  let body: string | undefined;
  if (c.body) {
    if ('raw' in c.body) body = c.body.raw;
    else if ('json' in c.body) body = serialise(w, c.body.json) ?? 'undefined';
    else body = c.body.template(w);
  }
  return { method: c.op.method, url: query ? `${path}?${query}` : path, headers, body };
}

async function send(t: TestApp, s: Sent): Promise<Response> {
  let req = t.http()[s.method as Method](s.url);
  for (const [k, v] of Object.entries(s.headers)) req = req.set(k, v);
  if (s.body !== undefined) {
    req = req.send(s.body);
    // superagent types a string body as a form: put back exactly what the case says.
    if (s.headers['content-type'] === undefined) req = req.unset('Content-Type');
    else req = req.set('content-type', s.headers['content-type']);
  }
  return req.ok(() => true).timeout(20_000);
}

/** The property: never a 5xx; every 4xx in the error shape, its requestId the X-Request-Id header. */
function violation(res: Response): string | null {
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.status < 400) return null;
  const b = res.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'a 4xx without a JSON object body';
  if (b.statusCode !== res.status) return `statusCode ${String(b.statusCode)} ≠ HTTP ${res.status}`;
  if (typeof b.code !== 'string' || !b.code) return '`code` is not a non-empty string';
  if (typeof b.message !== 'string') return '`message` is not a string';
  if (typeof b.requestId !== 'string' || !b.requestId) return '`requestId` is not a string';
  if (b.requestId !== res.headers['x-request-id'])
    return `requestId ${b.requestId} ≠ X-Request-Id ${String(res.headers['x-request-id'])}`;
  return null;
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: every route of /docs-json', () => {
  const smtp = new SmtpSink();
  let t: TestApp;
  let ops: Operation[];
  let w: World;

  /** Puts the two tenants back as the fuzzer needs them and issues fresh credentials. */
  async function restore(): Promise<void> {
    const key = t.platformKey;
    for (const tenant of [w.admin, w.mfa])
      await t
        .http()
        .patch(`/v1/tenants/${tenant.slug}`)
        .set('X-Api-Key', key)
        .send({ status: 'active' })
        .expect(200);
    await t
      .http()
      .put(`/v1/tenants/${w.admin.slug}/settings/2fa`)
      .set('X-Api-Key', key)
      .send({ enabled: false, channelId: null })
      .expect(200);
    const channelId = await createEmailChannel(t, w.mfa, smtp);
    await t
      .http()
      .put(`/v1/tenants/${w.mfa.slug}/settings/2fa`)
      .set('X-Api-Key', key)
      .send({ enabled: true, channelId, otp: { resendCooldownSeconds: 0 } })
      .expect(200);
    const admin = await createUser(t, w.admin, { roles: ['admin'] });
    const signedIn = await t
      .http()
      .post('/v1/auth/login')
      .send({ tenant: w.admin.slug, username: admin.username, password: admin.password })
      .expect(200);
    const mfaUser = await createUser(t, w.mfa);
    const mfaLogin = await passwordLogin(t, w.mfa.slug, mfaUser.username, mfaUser.password);
    if (typeof mfaLogin.body.mfaToken !== 'string')
      throw new Error(`no mfa token: ${mfaLogin.status} ${mfaLogin.text}`);
    w.access = signedIn.body.accessToken;
    w.refresh = signedIn.body.refreshToken;
    w.mfaToken = mfaLogin.body.mfaToken;
    w.userIds = [admin.id, mfaUser.id, ...w.userIds].slice(0, 8);
    w.usernames = [admin.username, mfaUser.username, 'admin'];
    w.channelIds = [channelId, ...w.channelIds].slice(0, 4);
    w.stale = false;
    w.restores++;
  }

  beforeAll(async () => {
    await smtp.start();
    t = await startTestApp({
      env: {
        ...UNREACHABLE_THROTTLE_LIMITS,
        // Channels can only name the sink's host; SMTP failures answer fast.
        CHANNEL_ALLOWED_HOSTS: '127.0.0.1',
        SMTP_TIMEOUT_MS: '2000',
      },
      captureLogs: true,
    });
    platformKey = t.platformKey;
    const doc = await t.http().get('/docs-json').expect(200);
    ops = operationsOf(doc.body as OpenApiDocument);
    const admin = await createTenant(t);
    const mfa = await createTenant(t);
    w = {
      admin,
      mfa,
      access: '',
      refresh: '',
      mfaToken: '',
      userIds: [],
      channelIds: [await createEmailChannel(t, admin, smtp)],
      usernames: [],
      stale: true,
      restores: 0,
    };
    await restore();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('reads every operation from /docs-json', () => {
    const keys = ops.map((o) => o.key);
    for (const expected of [
      'GET /health/live',
      'GET /.well-known/jwks.json',
      'POST /v1/auth/login',
      'POST /v1/auth/2fa/verify',
      'GET /v1/tenants/{slug}/users/{id}',
      'DELETE /v1/tenants/{slug}/users/{id}/2fa/lock',
      'POST /v1/tenants/{slug}/channels/{id}/test',
    ])
      expect(keys).toContain(expected);
    expect(ops.length).toBeGreaterThanOrEqual(30);
  });

  it(`${NUM_RUNS.toLocaleString('en-US')} generated requests over every route: never a 5xx, always the error shape`, async () => {
    const hits = new Map<string, number>();
    const collected: string[] = [];
    const statuses = new Map<number, number>();
    const caseArb: fc.Arbitrary<FuzzCase> = fc
      .constantFrom(...ops)
      .chain((op) =>
        fc.record({
          op: fc.constant(op),
          segments: fc.record(
            Object.fromEntries(op.pathParams.map((p) => [p, pathSegment(p)])) as Record<
              string,
              fc.Arbitrary<string | LiveRef>
            >,
          ),
          query: fc.oneof(
            { weight: 1, arbitrary: fc.constant<Array<[string, string | LiveRef]>>([]) },
            { weight: 2, arbitrary: queryArb(op) },
          ),
          body: op.hasBody
            ? fc.oneof(
                { weight: 1, arbitrary: fc.constant(null) },
                { weight: 9, arbitrary: bodyArb(op) },
              )
            : fc.oneof(
                { weight: 4, arbitrary: fc.constant(null) },
                { weight: 1, arbitrary: bodyArb(op) },
              ),
          contentType: fc.constantFrom<string | null>(...CONTENT_TYPES),
          auth: authArb,
        }),
      )
      .map((c) =>
        Object.assign(c, {
          [fc.toStringMethod]: () => describeSent(buildRequest(w, c), w),
        }),
      );

    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
    if (seed !== undefined) process.stderr.write(`fuzz: seed ${seed}\n`);
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        if (w.stale) await restore();
        const sent = buildRequest(w, c);
        const res = await send(t, sent);
        hits.set(c.op.key, (hits.get(c.op.key) ?? 0) + 1);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // A credential the route takes, refused: it was spent by an earlier case (logout, user
        // deleted or disabled, 2FA locked, …). Issue fresh ones before the next case.
        const usedAccess = sent.headers.authorization === `Bearer ${w.access}`;
        const usedMfa = sent.headers.authorization === `Bearer ${w.mfaToken}`;
        if (
          (usedAccess &&
            c.op.security.includes('accessToken') &&
            [401, 403].includes(res.status)) ||
          (usedMfa && c.op.security.includes('mfaToken') && [401, 409, 429].includes(res.status))
        )
          w.stale = true;
        const problem = violation(res);
        if (problem) {
          const requestId = String(res.headers['x-request-id'] ?? '');
          const logLine = requestId
            ? t
                .logs()
                .split('\n')
                .find((l) => l.includes(requestId) && /"level":(50|60)/.test(l))
            : undefined;
          const msg = (
            [
              problem,
              describeSent(sent, w),
              `→ ${res.status} ${clip(res.text ?? '', 600)}`,
              ...(logLine ? [`log: ${clip(logLine, 1500)}`] : []),
            ].join('\n'));
          if (process.env.FUZZ_COLLECT) { collected.push(msg); return; }
          throw new Error(msg);
        }
      }),
      {
        numRuns: NUM_RUNS,
        ...(seed !== undefined ? { seed, path: process.env.FUZZ_PATH } : {}),
      },
    );

    // The run was meaningful: every route was called, and answers ranged from success to refusal.
    expect(ops.filter((o) => !hits.get(o.key)).map((o) => o.key)).toEqual([]);
    const seen = [...statuses.keys()];
    expect(seen.some((s) => s >= 200 && s < 300)).toBe(true);
    for (const s of [400, 401, 404]) expect(seen).toContain(s);
    if (process.env.FUZZ_COLLECT) require('fs').writeFileSync('/tmp/collected.txt', collected.join('\n=====\n'));
    if (process.env.FUZZ_STATS)
      process.stderr.write(
        `fuzz: ${JSON.stringify({ statuses: Object.fromEntries(statuses), hits: Object.fromEntries(hits), restores: w.restores })}\n`,
      );
  }, 180_000);
});
