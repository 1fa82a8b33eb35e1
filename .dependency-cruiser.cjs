/**
 * The module rules of DESIGN.md, checked by `npm run lint` (dependency-cruiser): imports point one
 * way (auth at the top, audit at the bottom), no cycles between files, and src/database and
 * src/common name no feature module.
 */
const feature = (name) => `^src/${name}/`;
/** Each feature module and the feature modules it may import (besides common, database, config). */
const allowed = {
  audit: [],
  sessions: ['audit'],
  users: ['audit'],
  messages: ['audit'],
  channels: ['audit', 'throttling', 'messages'],
  otp: ['channels', 'audit'],
  webhooks: ['audit', 'observability'],
  tenants: ['channels', 'users', 'sessions', 'audit'],
  auth: [
    'tenants',
    'users',
    'otp',
    'channels',
    'messages',
    'sessions',
    'audit',
    'throttling',
    'observability',
  ],
};
const FEATURES = Object.keys(allowed);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No file-level import cycle (a shared type goes into its own file).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'infrastructure-names-no-feature',
      severity: 'error',
      comment: 'src/common and src/database are below every module: they import none.',
      from: { path: '^src/(common|database)/' },
      to: { path: `^src/(${FEATURES.join('|')})/` },
    },
    ...FEATURES.map((name) => ({
      name: `${name}-depends-only-on-${allowed[name].join('-') || 'nothing'}`,
      severity: 'error',
      comment: `DESIGN.md: ${name} depends on ${allowed[name].join(', ') || 'no other module'}.`,
      from: { path: feature(name) },
      to: {
        path: `^src/(${FEATURES.filter((f) => f !== name).join('|')})/`,
        pathNot: allowed[name].length ? `^src/(${allowed[name].join('|')})/` : undefined,
      },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
