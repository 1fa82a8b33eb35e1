import { field, h, replace } from '../dom.js';
import { timeEl } from '../time.js';
import type { Panel, Session } from './session.js';
import { cardRow, cardTable } from './table.js';
import type { AuditEvent, AuditEventType, AuditPage, UserPage } from './types.js';

/** API.md "Tenant admin: audit events": the types, exactly. */
const AUDIT_TYPES: AuditEventType[] = [
  'LOGIN_SUCCEEDED',
  'LOGIN_FAILED',
  'OTP_SENT',
  'OTP_DELIVERY_FAILED',
  'OTP_VERIFIED',
  'OTP_FAILED',
  'OTP_EXPIRED',
  'OTP_ATTEMPTS_EXCEEDED',
  'OTP_RESEND_REFUSED',
  'TWO_FACTOR_LOCKED',
  'TWO_FACTOR_REGISTERED',
  'TWO_FACTOR_RESET',
  'TWO_FACTOR_UNLOCKED',
  'SESSION_REFRESHED',
  'SESSION_REVOKED',
  'SETTINGS_CHANGED',
  'CHANNEL_CHANGED',
  'USER_CREATED',
  'USER_UPDATED',
  'USER_DELETED',
  'TENANT_CHANGED',
];

const COLUMNS = ['When', 'Type', 'User', 'Actor', 'IP', 'Details'];
/** The names of at most this many users are looked up (the audit API answers user ids). */
const USER_PAGES = 10;

/** The tenant's usernames by id, read through the users API (a deleted user stays an id). */
async function usernames(s: Session): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let cursor: string | undefined;
  for (let i = 0; i < USER_PAGES; i++) {
    const page = await s.call<UserPage>('GET', `${s.base}/users`, {
      query: { limit: '100', cursor },
    });
    for (const u of page.items) names.set(u.id, u.username);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return names;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One value for people: text as is, a change as "from → to", the rest as compact JSON. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isRecord(v) && 'from' in v && 'to' in v) return `${shown(v.from)} → ${shown(v.to)}`;
  return JSON.stringify(v);
}

/** `data` as "key: value" lines; an object one level down as "key.field: value" lines. */
function dataLines(data: Record<string, unknown>): HTMLElement | string {
  const entries = Object.entries(data).flatMap(([k, v]): Array<[string, unknown]> =>
    isRecord(v) && !('from' in v && 'to' in v)
      ? Object.entries(v).map(([sub, x]): [string, unknown] => [`${k}.${sub}`, x])
      : [[k, v]],
  );
  if (!entries.length) return '—';
  return h(
    'dl',
    { class: 'data' },
    ...entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, shown(v))]),
  );
}

/** A `datetime-local` value (the browser's zone) as ISO-8601, or undefined when empty. */
function isoOf(input: HTMLInputElement): string | undefined {
  if (!input.value) return undefined;
  const at = new Date(input.value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The audit log, newest first: usernames, readable details, filters by type, user and time. */
export const auditPanel: Panel = async (s, panel, ui) => {
  const names = await usernames(s);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? id) : '—');
  const type = h(
    'select',
    { id: 'audit-type' },
    h('option', { value: '' }, 'all types'),
    ...AUDIT_TYPES.map((t) => h('option', { value: t }, t)),
  );
  const user = h(
    'select',
    { id: 'audit-user' },
    h('option', { value: '' }, 'all users'),
    ...[...names]
      .sort((a, b) => a[1].localeCompare(b[1]))
      .map(([id, name]) => h('option', { value: id }, name)),
  );
  const from = field('From', { id: 'audit-from', type: 'datetime-local' });
  const to = field('Before', { id: 'audit-to', type: 'datetime-local' });
  const { table, tbody } = cardTable('audit', COLUMNS, 'Audit events, newest first');
  const more = h(
    'button',
    { type: 'button', id: 'audit-more', class: 'secondary', hidden: true },
    'Older events',
  );
  let cursor: string | null = null;
  const row = (e: AuditEvent) =>
    cardRow(
      { 'data-type': e.type },
      COLUMNS,
      [
        timeEl(e.createdAt),
        e.type,
        nameOf(e.userId),
        e.actor.type === 'platform' ? 'platform' : nameOf(e.actor.id),
        e.ip ?? '—',
        dataLines(e.data),
      ],
      { 2: 'who', 3: 'who' },
    );
  const load = async (reset: boolean) => {
    const page = await s.call<AuditPage>('GET', `${s.base}/audit-events`, {
      query: {
        limit: '50',
        type: type.value || undefined,
        userId: user.value || undefined,
        from: isoOf(from.input),
        to: isoOf(to.input),
        cursor: reset ? undefined : (cursor ?? undefined),
      },
    });
    if (reset) tbody.replaceChildren();
    for (const e of page.items) tbody.append(row(e));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  for (const control of [type, user, from.input, to.input])
    control.addEventListener('change', () => void load(true).catch(ui.error));
  more.addEventListener('click', () => void load(false).catch(ui.error));
  replace(
    panel,
    h('h2', {}, 'Audit events'),
    h(
      'div',
      { class: 'filters', id: 'audit-filters' },
      h('div', { class: 'field' }, h('label', { for: 'audit-type' }, 'Type'), type),
      h('div', { class: 'field' }, h('label', { for: 'audit-user' }, 'User'), user),
      from.row,
      to.row,
    ),
    table,
    more,
  );
  await load(true);
};
