import { checkTotp, totpAt, TotpAlgorithm } from './totp';

/** RFC 6238 Appendix B: seeds are ASCII "1234567890" repeated to the hash's length. */
const seed = (bytes: number) => new TextEncoder().encode('1234567890'.repeat(7).slice(0, bytes));
const SEEDS: Record<TotpAlgorithm, Uint8Array> = {
  SHA1: seed(20),
  SHA256: seed(32),
  SHA512: seed(64),
};

const RFC6238: Array<[number, string, string, string]> = [
  // [time, SHA1, SHA256, SHA512] — 8 digits, 30-second steps
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

/** RFC 4226 Appendix D: HOTP, SHA1, 6 digits, counters 0-9, seed "12345678901234567890". */
const RFC4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

describe('TOTP (the service code path)', () => {
  it.each(RFC6238)('reproduces RFC 6238 Appendix B at T=%d', async (time, sha1, sha256, sha512) => {
    const expected: Record<TotpAlgorithm, string> = { SHA1: sha1, SHA256: sha256, SHA512: sha512 };
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      const p = { digits: 8, periodSeconds: 30, algorithm };
      await expect(totpAt(SEEDS[algorithm], p, time)).resolves.toBe(expected[algorithm]);
      await expect(checkTotp(SEEDS[algorithm], p, expected[algorithm], 0, time)).resolves.toEqual({
        valid: true,
        step: Math.floor(time / 30),
      });
    }
  });

  it('reproduces RFC 4226 Appendix D (HOTP: a TOTP whose time is counter × period)', async () => {
    const p = { digits: 6, periodSeconds: 30, algorithm: 'SHA1' as const };
    for (const [counter, value] of RFC4226.entries())
      await expect(totpAt(SEEDS.SHA1, p, counter * 30)).resolves.toBe(value);
  });

  it('accepts the steps t−n … t+n of the window and nothing outside', async () => {
    const p = { digits: 6, periodSeconds: 30, algorithm: 'SHA1' as const };
    const now = 1_700_000_000;
    const previous = await totpAt(SEEDS.SHA1, p, now - 30);
    const next = await totpAt(SEEDS.SHA1, p, now + 30);
    const twoBack = await totpAt(SEEDS.SHA1, p, now - 60);
    expect((await checkTotp(SEEDS.SHA1, p, previous, 1, now)).valid).toBe(true);
    expect((await checkTotp(SEEDS.SHA1, p, next, 1, now)).valid).toBe(true);
    expect((await checkTotp(SEEDS.SHA1, p, previous, 0, now)).valid).toBe(false);
    expect((await checkTotp(SEEDS.SHA1, p, twoBack, 1, now)).valid).toBe(false);
    expect((await checkTotp(SEEDS.SHA1, p, twoBack, 2, now)).valid).toBe(true);
  });

  it('treats anything but exactly the digits as invalid, never throws', async () => {
    const p = { digits: 6, periodSeconds: 30, algorithm: 'SHA1' as const };
    const code = await totpAt(SEEDS.SHA1, p, 1_700_000_000);
    for (const bad of [
      ` ${code}`,
      code.slice(1),
      `${code}0`,
      'abcdef',
      '',
      code.replace(/^\d/, 'x'),
    ])
      await expect(checkTotp(SEEDS.SHA1, p, bad, 1, 1_700_000_000)).resolves.toEqual({
        valid: false,
      });
  });
});
