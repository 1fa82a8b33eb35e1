import { Agent, IncomingHttpHeaders, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createTenant, createUser, uniqueSlug } from '../factories/tenants.factory';
import { startTestApp, TestApp, UNREACHABLE_THROTTLE_LIMITS } from '../support/test-app';

/**
 * User enumeration by timing (API.md: unknown tenant, unknown user and wrong password are one
 * INVALID_CREDENTIALS, and the service does a dummy argon2 verify when there is no user). An
 * attacker who cannot tell the answers apart may still tell the times apart: a login that skips
 * the hash for an unknown user answers in a fraction of the time of a wrong password.
 *
 * The measurement is built to survive a busy 2-vCPU machine: one request at a time (no queueing
 * behind the hash pool), the two kinds interleaved in random order within each pair (so load that
 * comes and goes hits both alike), after a warm-up, compared by their medians.
 */

const TRIES = 200;
const WARM_UP = 20;
/** |median(a) − median(b)| / median(b) must not exceed this. */
const TOLERANCE = 0.15;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  ms: number;
}

interface Stats {
  median: number;
  p90: number;
}

interface Attempt {
  probe: Stats;
  reference: Stats;
  /** |probe − reference| / reference, of the medians. */
  gap: number;
}

// One keep-alive connection: no TCP handshake in the measured time, and the same path for both.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function postLogin(url: string, body: object): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/v1/auth/login`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          try {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
              ms,
            });
          } catch (e) {
            reject(e as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const stats = (ms: number[]): Stats => ({ median: quantile(ms, 0.5), p90: quantile(ms, 0.9) });
const fmt = (s: Stats) => `median ${s.median.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms`;

/** The answer an attacker sees, without what differs per request. */
function visible(a: Answer) {
  const { requestId: _requestId, ...body } = a.body;
  const headerNames = Object.keys(a.headers)
    .filter(
      (h) => !['date', 'x-request-id', 'content-length', 'connection', 'keep-alive'].includes(h),
    )
    .sort();
  return { status: a.status, body, headerNames };
}

describe('user enumeration by login timing', () => {
  let t: TestApp;
  let tenantSlug: string;
  let known: { username: string; password: string };

  beforeAll(async () => {
    // The throttler never answers; HASH_CONCURRENCY and HASH_QUEUE_MAX keep their defaults.
    t = await startTestApp({ env: { ...UNREACHABLE_THROTTLE_LIMITS } });
    const tenant = await createTenant(t);
    tenantSlug = tenant.slug;
    known = await createUser(t, tenant);
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  const wrongPassword = (i: number) => ({
    tenant: tenantSlug,
    username: known.username,
    password: `${known.password}-wrong-${i}`,
  });

  /**
   * `probe` and `reference` login bodies, TRIES of each, one request at a time, interleaved in a
   * random order within each pair, after WARM_UP requests. Every answer must look the same.
   */
  async function measure(
    label: string,
    probe: (i: number) => object,
    reference: (i: number) => object,
    attempt: number,
  ): Promise<Attempt> {
    for (let i = 0; i < WARM_UP; i++) await postLogin(t.url, i % 2 ? probe(i) : reference(i));
    const probeMs: number[] = [];
    const referenceMs: number[] = [];
    const seen = new Map<string, number>();
    const record = (a: Answer) => {
      const key = JSON.stringify(visible(a));
      seen.set(key, (seen.get(key) ?? 0) + 1);
    };
    for (let i = 0; i < TRIES; i++) {
      const probeFirst = Math.random() < 0.5;
      for (const which of probeFirst ? ['probe', 'reference'] : ['reference', 'probe']) {
        const a = await postLogin(t.url, which === 'probe' ? probe(i) : reference(i));
        (which === 'probe' ? probeMs : referenceMs).push(a.ms);
        record(a);
      }
    }
    // One answer for all 2 × TRIES requests: 401 INVALID_CREDENTIALS, same body, same headers.
    expect([...seen.keys()].map((k) => JSON.parse(k))).toEqual([
      {
        status: 401,
        body: { statusCode: 401, code: 'INVALID_CREDENTIALS', message: expect.any(String) },
        headerNames: expect.any(Array),
      },
    ]);
    const result = { probe: stats(probeMs), reference: stats(referenceMs) };
    const gap = Math.abs(result.probe.median - result.reference.median) / result.reference.median;
    process.stdout.write(
      `[timing] ${label}, attempt ${attempt}: probe ${fmt(result.probe)}; ` +
        `wrong password ${fmt(result.reference)}; gap ${(gap * 100).toFixed(1)}% ` +
        `(limit ${TOLERANCE * 100}%)\n`,
    );
    return { ...result, gap };
  }

  /** One measurement, and a second one only when the first is outside the tolerance. */
  async function compare(
    label: string,
    probe: (i: number) => object,
    reference: (i: number) => object,
  ): Promise<Attempt[]> {
    const attempts = [await measure(label, probe, reference, 1)];
    if (attempts[0].gap > TOLERANCE) attempts.push(await measure(label, probe, reference, 2));
    return attempts;
  }

  it('an unknown username (existing tenant) takes as long as a wrong password, and answers the same', async () => {
    const attempts = await compare(
      'unknown user',
      (i) => ({
        tenant: tenantSlug,
        username: `nobody-${i}-${uniqueSlug('u')}`,
        password: `${known.password}-wrong-${i}`,
      }),
      wrongPassword,
    );
    expect(attempts.at(-1)!.gap).toBeLessThanOrEqual(TOLERANCE);
  });

  it('an unknown tenant takes as long as a wrong password, and answers the same', async () => {
    const attempts = await compare(
      'unknown tenant',
      (i) => ({
        tenant: uniqueSlug(`gone${i}`),
        username: known.username,
        password: `${known.password}-wrong-${i}`,
      }),
      wrongPassword,
    );
    expect(attempts.at(-1)!.gap).toBeLessThanOrEqual(TOLERANCE);
  });
});
