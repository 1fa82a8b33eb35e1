// `npm audit --omit=dev` for CI: fails on a high or critical advisory when the advisory service
// answers; says "audit unavailable" (and passes) when it does not answer, as from these machines
// (the registry answers the bulk advisory endpoint with 405). Never a step that always passes:
// the verdict is decided by auditVerdict below, which test/operations/audit-check.e2e-spec.ts exercises.
const { spawnSync } = require('node:child_process');

/** { ok, message } for the JSON that `npm audit --json` printed. */
function auditVerdict(text) {
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    return { ok: true, unavailable: true, message: 'audit unavailable: npm audit printed no JSON' };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts) {
    const why = report?.message ?? report?.error?.summary ?? 'no report';
    return { ok: true, unavailable: true, message: `audit unavailable: ${why}` };
  }
  const severe = (counts.high ?? 0) + (counts.critical ?? 0);
  if (severe > 0) {
    const names = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .map(([name, v]) => `${name} (${v.severity})`);
    return {
      ok: false,
      unavailable: false,
      message: `audit: ${severe} high or critical advisories in production dependencies: ${names.join(', ')}`,
    };
  }
  return {
    ok: true,
    unavailable: false,
    message: `audit: no high or critical advisory (${counts.total ?? 0} lower ones)`,
  };
}

module.exports = { auditVerdict };

if (require.main === module) {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
  const verdict = auditVerdict(run.stdout);
  process.stdout.write(`${verdict.message}\n`);
  process.exit(verdict.ok ? 0 : 1);
}
