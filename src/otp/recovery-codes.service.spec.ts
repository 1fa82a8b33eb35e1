import { generateRecoveryCode, normaliseRecoveryCode } from './recovery-codes.service';

describe('recovery codes: format and comparison (API.md v1.1 §6)', () => {
  it('draws 12 Crockford base32 characters shown xxxx-xxxx-xxxx', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const code = generateRecoveryCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(1000);
  });

  it('uses every character of the alphabet in every position (60 bits, no fixed bits)', () => {
    const perPosition = Array.from({ length: 12 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++)
      [...generateRecoveryCode().replace(/-/g, '')].forEach((c, p) => perPosition[p].add(c));
    for (const chars of perPosition) expect(chars.size).toBe(32);
  });

  it('ignores case, spaces and dashes, reads O as 0 and I, L as 1; anything else is no code', () => {
    expect(normaliseRecoveryCode('abcd-efgh-jk01')).toBe('ABCDEFGHJK01');
    expect(normaliseRecoveryCode(' ab cd\tef-gh jk 01 ')).toBe('ABCDEFGHJK01');
    expect(normaliseRecoveryCode('oOiI-lL00-0000')).toBe('001111000000');
    expect(normaliseRecoveryCode('ABCD-EFGH-JK0')).toBeNull();
    expect(normaliseRecoveryCode('ABCD-EFGH-JK0U')).toBeNull();
    expect(normaliseRecoveryCode('ABCD_EFGH_JK01')).toBeNull();
    expect(normaliseRecoveryCode('')).toBeNull();
  });
});
