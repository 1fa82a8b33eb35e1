import fc from 'fast-check';
import type { Response } from 'supertest';
import type { TestTenant } from '../factories/tenants.factory';
import type { TestApp } from './test-app';

/**
 * The generators of test/security/fuzz.e2e-spec.ts: the operations read from /docs-json, and arbitrary
 * path parameters, query strings, bodies (structured, near-valid and hostile bytes), credentials
 * and content types for each; plus building, sending and judging one request.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

/** Field names of a body, nested where a field is an object (`otp.length`). */
type Fields = { [name: string]: Fields | null };
const names = (...list: string[]): Fields => Object.fromEntries(list.map((n) => [n, null]));

export interface Operation {
  method: Method;
  path: string;
  /** `POST /v1/tenants/{slug}/users` */
  key: string;
  pathParams: string[];
  queryParams: string[];
  fields: Fields;
  hasBody: boolean;
  /** The security schemes the operation takes: platformKey, accessToken, mfaToken. */
  security: string[];
}

/**
 * What API.md says the bodies and query strings hold. The served document declares no DTO
 * properties and no query parameters under ts-jest (the @nestjs/swagger CLI plugin that adds them
 * runs in `nest build`), so these are merged with whatever it declares.
 */
const CHANNEL_FIELDS: Fields = {
  ...names('type', 'name', 'enabled'),
  config: names(
    ...['host', 'port', 'tls', 'secure', 'username', 'password', 'from'],
    ...['issuer', 'digits', 'periodSeconds', 'algorithm', 'window'],
  ),
};
const API_MD_FIELDS: Record<string, Fields> = {
  'POST /v1/tenants': {
    ...names('slug', 'name'),
    admin: names('username', 'password', 'email', 'displayName'),
  },
  'PATCH /v1/tenants/{slug}': names('name', 'status'),
  'POST /v1/tenants/{slug}/users': names('username', 'password', 'roles', 'displayName', 'email'),
  'PATCH /v1/tenants/{slug}/users/{id}': names(
    ...['displayName', 'roles', 'password', 'disabled', 'email'],
  ),
  'PUT /v1/tenants/{slug}/settings/2fa': {
    ...names('enabled', 'channelId'),
    otp: names(
      'length',
      'ttlSeconds',
      'resendCooldownSeconds',
      'maxAttempts',
      'maxResendsPerLogin',
    ),
    lockout: names('maxConsecutiveFailures', 'durationSeconds'),
    recoveryCodes: names('enabled'),
    rememberDevice: names('enabled', 'days'),
  },
  'POST /v1/tenants/{slug}/channels': CHANNEL_FIELDS,
  'PATCH /v1/tenants/{slug}/channels/{id}': CHANNEL_FIELDS,
  'POST /v1/tenants/{slug}/channels/{id}/test': names('to'),
  'POST /v1/auth/login': names('tenant', 'username', 'password', 'deviceToken'),
  'POST /v1/auth/refresh': names('refreshToken'),
  'POST /v1/auth/2fa/register': names('destination', 'email'),
  'POST /v1/auth/2fa/verify': names('code', 'recoveryCode', 'rememberDevice'),
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
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}
interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
}
export interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, OpenApiOperation>>>;
  components?: { schemas?: Record<string, Schema> };
}

function schemaFields(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Fields {
  if (!schema || depth > 4) return {};
  if (schema.$ref)
    return schemaFields(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()!], depth + 1);
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

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const params = op.parameters ?? [];
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name);
      const query = params.filter((p) => p.in === 'query').map((p) => p.name);
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        method,
        path,
        key,
        pathParams: [...new Set([...inTemplate, ...declared])],
        queryParams: [...new Set([...query, ...(API_MD_QUERY[key] ?? [])])],
        fields: mergeFields(schemaFields(doc, bodySchema), API_MD_FIELDS[key] ?? {}),
        hasBody: Boolean(op.requestBody),
        security: (op.security ?? []).flatMap((s) => Object.keys(s)),
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// The world the requests run against: two tenants, and credentials issued again once spent
// ---------------------------------------------------------------------------------------------

export interface World {
  platformKey: string;
  /** The tenant whose admin holds `access` (2FA off). */
  admin: TestTenant;
  /** The tenant whose users get `mfaToken` (2FA on, email channel on the SMTP sink). */
  mfa: TestTenant;
  access: string;
  refresh: string;
  mfaToken: string;
  userIds: string[];
  channelIds: string[];
  usernames: string[];
  smtpPort: number;
  staleAccess: boolean;
  staleMfa: boolean;
  credentialsIssued: number;
}

/** A value known only at request time: tokens and ids change while the run goes on. */
type Live =
  'slug:admin' | 'slug:mfa' | 'userId' | 'channelId' | 'username' | 'refreshToken' | 'smtpPort';
interface LiveRef {
  live: Live;
  n: number;
}
const isLive = (v: unknown): v is LiveRef =>
  typeof v === 'object' && v !== null && 'live' in v && 'n' in v && Object.keys(v).length === 2;
export const live = (kind: Live): LiveRef => ({ live: kind, n: 0 });
const liveArb = (...kinds: Live[]): fc.Arbitrary<LiveRef> =>
  fc.record({ live: fc.constantFrom(...kinds), n: fc.nat(50) });

function resolveLive(w: World, ref: LiveRef): string | number {
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
    case 'smtpPort':
      return w.smtpPort;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: text, path segments, JSON values, bodies, query strings, credentials
// ---------------------------------------------------------------------------------------------

/** encodeURIComponent, except that a lone surrogate becomes the bytes of one (invalid UTF-8). */
function encode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0xd800 && cp <= 0xdfff ? '%ED%A0%80' : encodeURIComponent(ch);
  }
  return out;
}

const alnumString = (minLength: number, maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'),
    minLength,
    maxLength,
  });
const CONTROL = fc.constantFrom('\u0000', '\n', '\r\n', '\t', '\u001b[31m', '\u007f', '\u0008');
const EXOTIC = fc.constantFrom(
  ...['😀', '👨‍👩‍👧‍👦', 'שלום', 'مرحبا', '\u202eevil\u202c', '\u200b', '\ufeff'],
  ...['Ω≈ç√', 'ｆｕｌｌ', '\ud800', 'ǅ', 'İ'],
);
/** Text with unicode (emoji, RTL, zero-width, a lone surrogate), control characters and ASCII. */
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
/** Up to 5,000 characters: ASCII, or unicode that percent-encodes to several bytes each. */
const hugeText = fc.oneof(
  fc.integer({ min: 257, max: 5000 }).map((n) => 'x'.repeat(n)),
  alnumString(1000, 5000),
  fc.string({ unit: 'grapheme', minLength: 500, maxLength: 5000 }),
  fc.integer({ min: 100, max: 2500 }).map((n) => '😀'.repeat(n)),
);
export const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: weirdText },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'true', '0', '-1', 'NaN', '1e309') },
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

/** Path segments as they go on the wire: control characters, traversal, bad escapes, unicode. */
const RAW_SEGMENTS = [
  '',
  ...'%00 %0a %0d%0a a%00b %1b%5b31m %7f ..%2f ..%2F..%2F..%2Fhealth%2Flive .. . %2e%2e ..%5c'.split(
    ' ',
  ),
  ...'% %zz %E0%A4%A %C0%AF %ff %F0%9F%98%80 %D7%A9%D7%9C%D7%95%D7%9D %E2%80%AE a%2Fb'.split(' '),
  ...'__proto__ constructor prototype'.split(' '),
];

/** A path parameter: mostly the real tenant or ids, else anything. */
const pathSegment = (name: string): fc.Arbitrary<string | LiveRef> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary:
        name === 'slug'
          ? liveArb('slug:admin', 'slug:mfa')
          : liveArb('userId', 'channelId', 'slug:admin'),
    },
    { weight: 3, arbitrary: uuidLike },
    { weight: 1, arbitrary: alnumString(1, 70) },
    { weight: 2, arbitrary: text.map(encode) },
    { weight: 1, arbitrary: hugeText.map(encode) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
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
  { weight: 1, arbitrary: fc.constantFrom({}, []) },
);

/**
 * What the SMTP host, port and TLS flag of an email channel may get: never a value that validates
 * (no number, boolean or null; CHANNEL_ALLOWED_HOSTS admits only 127.0.0.1). A channel only ever
 * points at the sink, so no mail leaves the test and no delivery fails (502) because of the fuzzer.
 */
const SMTP_FIELDS = ['host', 'port', 'secure', 'tls'];
const smtpJunk: fc.Arbitrary<unknown> = fc.oneof(
  text.filter((v) => !['127.0.0.1', 'none', 'starttls', 'implicit'].includes(v)),
  fc.array(junkScalar, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), junkScalar, { maxKeys: 3 }),
);

/** Values of the right type for some field, so that requests reach deeper code. */
const plausible = (field: string): fc.Arbitrary<unknown> => {
  if (SMTP_FIELDS.includes(field)) return smtpJunk;
  return fc.oneof(
    fc.constantFrom(
      ...[true, false, 6, 8, 10, 30, 60, 300, 1, 20, 100, [], ['admin'], ['agent']],
      ...'admin active disabled email authenticator sms SHA1 SHA512 123456 00000000'.split(' '),
      ...['fuzz@efcx.test', 'a long passphrase 1', 'Fuzz Name'],
    ),
    liveArb('slug:admin', 'slug:mfa', 'userId', 'channelId', 'username', 'refreshToken'),
    alnumString(2, 63),
  );
};

const fieldValue = (field: string, sub: Fields | null, depth: number): fc.Arbitrary<unknown> => {
  if (SMTP_FIELDS.includes(field)) return smtpJunk;
  if (sub && depth < 3)
    return fc.oneof(
      { weight: 3, arbitrary: bodyObject(sub, depth + 1) },
      { weight: 2, arbitrary: junkValue },
    );
  return fc.oneof(junkValue, plausible(field));
};

/** An object with some of the known fields (right or wrong types), perhaps some unknown ones. */
function bodyObject(fields: Fields, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const known = Object.keys(fields);
  const chosen: fc.Arbitrary<Array<[string, unknown]>> = known.length
    ? fc
        .subarray(known)
        .chain((subset) =>
          fc.tuple(
            ...subset.map((n) =>
              fieldValue(n, fields[n], depth).map((v): [string, unknown] => [n, v]),
            ),
          ),
        )
    : fc.constant([]);
  const unknown = fc.array(
    fc.tuple(
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('constructor', 'prototype', 'id')),
      junkValue,
    ),
    { maxLength: known.length ? 2 : 4 },
  );
  return fc
    .tuple(
      chosen,
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: unknown }),
    )
    .map(([a, b]) => Object.fromEntries([...a, ...b]));
}

const SINK_CONFIG = {
  host: '127.0.0.1',
  port: live('smtpPort'),
  tls: 'none',
  from: 'EFCX <no-reply@efcx.test>',
};
const PASSWORD = 'a long passphrase 1';
/**
 * A valid body per operation (API.md), to send as is or with a field or two changed: requests that
 * get past validation into the services and the database. Every email channel is the SMTP sink.
 */
const VALID_BODIES: Record<string, (unique: string) => Record<string, unknown>> = {
  'POST /v1/tenants': (u) => ({
    slug: `fz-${u}`,
    name: `Fuzz ${u}`,
    admin: { username: 'admin', password: PASSWORD },
  }),
  'PATCH /v1/tenants/{slug}': (u) => ({ name: `Renamed ${u}` }),
  'POST /v1/tenants/{slug}/users': (u) => ({
    username: `fz-${u}`,
    password: PASSWORD,
    roles: ['agent'],
    displayName: 'Fuzz',
    email: `${u}@efcx.test`,
  }),
  'PATCH /v1/tenants/{slug}/users/{id}': (u) => ({ displayName: u, email: `${u}@efcx.test` }),
  'PUT /v1/tenants/{slug}/settings/2fa': () => ({
    enabled: false,
    channelId: null,
    otp: { length: 6, ttlSeconds: 300 },
    lockout: { maxConsecutiveFailures: 50 },
  }),
  'POST /v1/tenants/{slug}/channels': (u) =>
    u.length % 2
      ? { type: 'email', name: `Sink ${u}`, enabled: true, config: SINK_CONFIG }
      : {
          type: 'authenticator',
          name: `TOTP ${u}`,
          enabled: true,
          config: { issuer: 'Fuzz', digits: 6, periodSeconds: 30, algorithm: 'SHA1', window: 1 },
        },
  'PATCH /v1/tenants/{slug}/channels/{id}': (u) => ({ name: `Renamed ${u}`, config: {} }),
  'POST /v1/tenants/{slug}/channels/{id}/test': (u) => ({ to: `${u}@efcx.test` }),
  'POST /v1/auth/login': (u) => ({
    tenant: live('slug:admin'),
    username: live('username'),
    password: `wrong ${u}`,
  }),
  'POST /v1/auth/refresh': () => ({ refreshToken: live('refreshToken') }),
  'POST /v1/auth/2fa/register': (u) => ({ destination: `${u}@efcx.test` }),
  'POST /v1/auth/2fa/verify': () => ({ code: '123456' }),
};

const REMOVE = Symbol('remove');
/** A valid body, or one with one or two fields given another value or removed. */
function nearValidBody(op: Operation): fc.Arbitrary<Record<string, unknown>> | null {
  const valid = VALID_BODIES[op.key];
  if (!valid) return null;
  const paths = (o: Record<string, unknown>, prefix: string[] = []): string[][] =>
    Object.entries(o).flatMap(([k, v]) =>
      v && typeof v === 'object' && !Array.isArray(v) && !isLive(v)
        ? [[...prefix, k], ...paths(v as Record<string, unknown>, [...prefix, k])]
        : [[...prefix, k]],
    );
  const fieldPaths = [...paths(valid('x')), ...Object.keys(op.fields).map((k) => [k]), ['extra']];
  const mutation = fc.constantFrom(...fieldPaths).chain((path) => {
    const field = path[path.length - 1];
    return fc.tuple(
      fc.constant(path),
      SMTP_FIELDS.includes(field)
        ? smtpJunk
        : fc.oneof(
            { weight: 4, arbitrary: junkValue },
            { weight: 2, arbitrary: plausible(field) },
            { weight: 2, arbitrary: text },
            { weight: 1, arbitrary: fc.constant<unknown>(REMOVE) },
          ),
    );
  });
  return fc
    .tuple(alnumString(6, 12), fc.array(mutation, { maxLength: 2 }))
    .map(([unique, mutations]) => {
      const body = structuredClone(valid(unique.replace(/^-+/, 'a')));
      for (const [path, value] of mutations) {
        let target = body;
        for (const k of path.slice(0, -1)) {
          const next = target[k];
          if (!next || typeof next !== 'object' || Array.isArray(next)) break;
          target = next as Record<string, unknown>;
        }
        if (value === REMOVE) delete target[path[path.length - 1]];
        else target[path[path.length - 1]] = value;
      }
      return body;
    });
}

/** A body: a value to serialise, bytes as they are, or bytes that need the live values. */
type RawBody = { json: unknown } | { raw: string } | { template: (w: World) => string };

function serialise(w: World, value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isLive(v) ? resolveLive(w, v) : v)) ?? '';
}

const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const MALFORMED_JSON = [
  ...['', ' ', '{', '{"a":', '{}}', '{"a":1,}', "{'a':1}", 'null', '[]', '"text"', '42', '-0'],
  ...['1e309', '123456789012345678901234567890', 'true', '{"a":NaN}', '{"a":Infinity}'],
  ...['{"a":"\\ud800"}', '{"a":"\\u0000"}', '\ufeff{}', '{"a":1}garbage', '{"a":1}{"b":2}'],
];

/** Bodies as the bytes on the wire: structured, hand-written and hostile JSON. */
function bodyArb(op: Operation): fc.Arbitrary<RawBody> {
  const known = Object.keys(op.fields);
  const someField = fc.constantFrom(...(known.length ? known : ['a', 'name', 'code']));
  // {"f":1,"f":2}: which one wins must not matter.
  const duplicateKeys = fc
    .tuple(someField, junkValue, fc.oneof(junkValue, plausible('x')), bodyObject(op.fields))
    .map(([f, a, b, rest]): RawBody => ({
      template: (w) => {
        const others = serialise(w, rest).slice(1, -1);
        return `{${others}${others ? ',' : ''}"${f}":${serialise(w, a)},"${f}":${serialise(w, b)}}`;
      },
    }));
  const prototypeKeys = fc
    .tuple(
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      fc.constantFrom('{"admin":true}', '{"prototype":{"polluted":1}}', 'null', '1', '"x"', '[]'),
      fc.option(someField, { nil: undefined }),
    )
    .map(([k, v, f]): RawBody => ({ raw: f ? `{"${f}":{"${k}":${v}}}` : `{"${k}":${v}}` }));
  // 200 levels, or up to 10,000 (60 kB, far below the 1 MB body limit).
  const deepNesting = fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 2, max: 200 }) },
        { weight: 2, arbitrary: fc.integer({ min: 200, max: 10_000 }) },
      ),
      fc.boolean(),
      fc.option(someField, { nil: undefined }),
    )
    .map(([depth, arrays, f]): RawBody => {
      const inner = arrays ? deepArray(depth) : deepObject(depth);
      return { raw: f ? `{"${f}":${inner}}` : inner };
    });
  const nearValid = nearValidBody(op);
  return fc.oneof(
    { weight: 6, arbitrary: bodyObject(op.fields).map((json): RawBody => ({ json })) },
    ...(nearValid ? [{ weight: 6, arbitrary: nearValid.map((json): RawBody => ({ json })) }] : []),
    { weight: 2, arbitrary: junkValue.map((json): RawBody => ({ json })) },
    { weight: 2, arbitrary: duplicateKeys },
    { weight: 3, arbitrary: prototypeKeys },
    { weight: 3, arbitrary: deepNesting },
    { weight: 2, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((raw): RawBody => ({ raw })) },
    { weight: 1, arbitrary: text.map((raw): RawBody => ({ raw })) },
  );
}

type Query = Array<[string, string | LiveRef]>;
const QUERY_KEYS =
  'limit cursor __proto__ constructor prototype __proto__%5Badmin%5D a%5Bb%5D limit%5B%5D %00 x';
const QUERY_VALUES = [
  ...'0 1 -1 200 201 1.5 1e3 NaN true false null %00 %0a %zz LOGIN_FAILED USER_CREATED nope'.split(
    ' ',
  ),
  ...'2024-01-01T00:00:00Z 2024-13-45T99:99:99Z 9999-12-31T23:59:59.999Z 0000-01-01'.split(' '),
  ...['', 'AAAA', '____', 'dXNlcjox'],
];

/** Query strings: declared and junk keys, wrong-typed and huge values, keys repeated (arrays). */
function queryArb(op: Operation): fc.Arbitrary<Query> {
  const key = fc.oneof(
    ...(op.queryParams.length
      ? [{ weight: 6, arbitrary: fc.constantFrom(...op.queryParams) }]
      : []),
    { weight: 2, arbitrary: fc.constantFrom('', ...QUERY_KEYS.split(' ')) },
    { weight: 1, arbitrary: text.map(encode) },
  );
  const value: fc.Arbitrary<string | LiveRef> = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...QUERY_VALUES) },
    { weight: 2, arbitrary: liveArb('userId', 'username', 'channelId') },
    { weight: 2, arbitrary: uuidLike },
    { weight: 3, arbitrary: text.map(encode) },
    { weight: 1, arbitrary: hugeText.map(encode) },
  );
  const repeated = fc
    .tuple(key, fc.array(value, { minLength: 2, maxLength: 4 }))
    .map(([k, vs]): Query => vs.map((v) => [k, v]));
  return fc
    .tuple(
      fc.array(fc.tuple(key, value), { maxLength: 5 }),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<Query>([]) },
        { weight: 1, arbitrary: repeated },
      ),
    )
    .map(([a, b]) => [...a, ...b]);
}

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
  kind: fc.constantFrom(
    ...(['none', 'garbage', 'bearer-random', 'bearer-jwt-shaped', 'wrong-key'] as const),
    ...(['platform-key', 'platform-key', 'access-token', 'access-token', 'access-token'] as const),
    ...(['mfa-token', 'mfa-token', 'access-and-key', 'mfa-as-key'] as const),
  ),
  // Header-safe: printable ASCII or Latin-1 (Node refuses anything else in a header).
  noise: fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({
      unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    }),
    fc.integer({ min: 100, max: 4000 }).map((n) => 'A'.repeat(n)),
  ),
});

const CONTENT_TYPES: Array<string | null> = [
  ...Array<string>(16).fill('application/json'),
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  null, // no Content-Type header at all
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json, text/plain',
];

export interface FuzzCase {
  op: Operation;
  segments: Record<string, string | LiveRef>;
  query: Query;
  body: RawBody | null;
  contentType: string | null;
  auth: { kind: AuthKind; noise: string };
}

const segmentsArb = (op: Operation, segment: (name: string) => fc.Arbitrary<string | LiveRef>) =>
  fc.record(
    Object.fromEntries(op.pathParams.map((p) => [p, segment(p)])) as Record<
      string,
      fc.Arbitrary<string | LiveRef>
    >,
  );

/** Anything in every part of the request. */
export function wildCase(op: Operation): fc.Arbitrary<FuzzCase> {
  return fc.record({
    op: fc.constant(op),
    segments: segmentsArb(op, pathSegment),
    query: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Query>([]) },
      { weight: 2, arbitrary: queryArb(op) },
    ),
    body: fc.oneof(
      { weight: op.hasBody ? 1 : 4, arbitrary: fc.constant(null) },
      { weight: op.hasBody ? 9 : 1, arbitrary: bodyArb(op) },
    ),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    auth: authArb,
  });
}

/**
 * Right in all but a thing or two: the real tenants and ids, a credential the route takes, a JSON
 * body valid or nearly, so that requests get past the guards into validation and the services.
 */
export function focusedCase(op: Operation): fc.Arbitrary<FuzzCase> {
  const credentials = (
    [
      ['platformKey', 'platform-key'],
      ['accessToken', 'access-token'],
      ['mfaToken', 'mfa-token'],
    ] as const
  )
    .filter(([scheme]) => op.security.includes(scheme))
    .map(([, kind]): AuthKind => kind);
  const nearValid = nearValidBody(op);
  const ids = op.path.includes('/channels/') ? liveArb('channelId') : liveArb('userId');
  return fc.record({
    op: fc.constant(op),
    segments: segmentsArb(op, (name) =>
      name === 'slug'
        ? fc.oneof({ weight: 3, arbitrary: liveArb('slug:admin') }, liveArb('slug:mfa'))
        : fc.oneof({ weight: 3, arbitrary: ids }, { weight: 1, arbitrary: uuidLike }),
    ),
    query: fc.oneof(fc.constant<Query>([]), queryArb(op)),
    body: !op.hasBody
      ? fc.constant(null)
      : nearValid
        ? fc.oneof(
            { weight: 2, arbitrary: nearValid.map((json): RawBody => ({ json })) },
            { weight: 1, arbitrary: bodyArb(op) },
          )
        : bodyArb(op),
    contentType: fc.constant(op.hasBody ? 'application/json' : null),
    auth: fc.record({
      kind: fc.constantFrom(...(credentials.length ? credentials : ['none' as const])),
      noise: fc.constant(''),
    }),
  });
}

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

interface Sent {
  method: Method;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export const clip = (s: string, n: number) =>
  s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;

export function buildRequest(w: World, c: FuzzCase): Sent {
  const value = (v: string | LiveRef) => (isLive(v) ? encode(String(resolveLive(w, v))) : v);
  const path = c.op.path.replace(/\{(\w+)\}/g, (_m, name: string) => value(c.segments[name] ?? ''));
  const query = c.query.map(([k, v]) => `${k}=${value(v)}`).join('&');
  const headers: Record<string, string> = {};
  const { kind, noise } = c.auth;
  if (kind === 'garbage') headers.authorization = noise;
  if (kind === 'bearer-random') headers.authorization = `Bearer ${noise}`;
  if (kind === 'bearer-jwt-shaped')
    headers.authorization = `Bearer eyJhbGciOiJub25lIn0.${Buffer.from(noise).toString('base64url')}.`;
  if (kind === 'platform-key' || kind === 'access-and-key') headers['x-api-key'] = w.platformKey;
  if (kind === 'wrong-key') headers['x-api-key'] = noise || 'x';
  if (kind === 'access-token' || kind === 'access-and-key')
    headers.authorization = `Bearer ${w.access}`;
  if (kind === 'mfa-token') headers.authorization = `Bearer ${w.mfaToken}`;
  if (kind === 'mfa-as-key') headers['x-api-key'] = w.mfaToken;
  if (c.contentType !== null) headers['content-type'] = c.contentType;
  let body: string | undefined;
  if (c.body && 'raw' in c.body) body = c.body.raw;
  else if (c.body && 'json' in c.body) body = serialise(w, c.body.json);
  else if (c.body) body = c.body.template(w);
  return { method: c.op.method, url: query ? `${path}?${query}` : path, headers, body };
}

/** The request as a person reads it, credentials named instead of shown. */
export function describeSent(w: World, s: Sent): string {
  const secrets: Array<[string, string]> = [
    [w.platformKey, '<valid platform key>'],
    [w.access, '<valid access token>'],
    [w.mfaToken, '<valid mfa token>'],
    [w.refresh, '<valid refresh token>'],
  ];
  const hide = (v: string) =>
    secrets.reduce((acc, [secret, name]) => (secret ? acc.split(secret).join(name) : acc), v);
  const headers = Object.fromEntries(
    Object.entries(s.headers).map(([k, v]) => [k, clip(hide(v), 80)]),
  );
  return [
    `${s.method.toUpperCase()} ${clip(s.url, 400)}`,
    `headers: ${JSON.stringify(headers)}`,
    `body: ${s.body === undefined ? '(none)' : JSON.stringify(clip(hide(s.body), 600))}`,
  ].join('\n');
}

export function send(t: TestApp, s: Sent): Promise<Response> {
  let req = t.http()[s.method](s.url);
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
export function violation(res: Response): string | null {
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
