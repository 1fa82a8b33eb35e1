// The CI advisory check's verdict (scripts/audit-check.js), on the JSON shapes npm audit prints.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { auditVerdict: verdict } = require('../../scripts/audit-check.js') as {
  auditVerdict: (text: string) => { ok: boolean; unavailable: boolean; message: string };
};

describe('CI dependency-advisory check', () => {
  it('fails on a high or a critical advisory, naming the packages', () => {
    const v = verdict(
      JSON.stringify({
        vulnerabilities: {
          tarball: { severity: 'high' },
          leftpad: { severity: 'low' },
          jwtlib: { severity: 'critical' },
        },
        metadata: {
          vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 1, total: 3 },
        },
      }),
    );
    expect(v.ok).toBe(false);
    expect(v.message).toContain('tarball (high)');
    expect(v.message).toContain('jwtlib (critical)');
    expect(v.message).not.toContain('leftpad');
  });

  it('passes with only low and moderate advisories, and says so', () => {
    const v = verdict(
      JSON.stringify({
        vulnerabilities: { leftpad: { severity: 'moderate' } },
        metadata: { vulnerabilities: { low: 0, moderate: 1, high: 0, critical: 0, total: 1 } },
      }),
    );
    expect(v).toEqual({
      ok: true,
      unavailable: false,
      message: 'audit: no high or critical advisory (1 lower ones)',
    });
  });

  it('says "audit unavailable" when the advisory service does not answer (405 from these machines)', () => {
    const v = verdict(
      JSON.stringify({
        message:
          '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        statusCode: 405,
      }),
    );
    expect(v.ok).toBe(true);
    expect(v.unavailable).toBe(true);
    expect(v.message).toMatch(/^audit unavailable: 405 Method Not Allowed/);
    expect(verdict('').message).toMatch(/^audit unavailable/);
  });
});
