import { api, ApiError, AuthenticatedAnswer, CallOptions, Me } from './api.js';
import { field, h, replace } from './dom.js';
import { messageFor } from './messages.js';
import { mountSignIn } from './signin-flow.js';

/**
 * `/admin`: the tenant admin console. The admin signs in like everyone (2FA included), then
 * manages the tenant's 2FA settings and channels, its users' 2FA, and reads the audit log.
 */
const main = document.getElementById('app') as HTMLElement;
const tenantHint = new URLSearchParams(location.search).get('tenant') ?? undefined;

interface Channel {
  id: string;
  type: string;
  name: string;
  enabled: boolean;
  active: boolean;
  config: Record<string, unknown>;
}
interface Settings {
  enabled: boolean;
  channelId: string | null;
  channelType: string | null;
  otp: Record<string, number>;
  lockout: Record<string, number>;
  updatedAt: string;
}
interface UserItem {
  id: string;
  username: string;
  displayName: string | null;
  roles: string[];
  disabled: boolean;
  sharedEmail: boolean;
  twoFactor: {
    registered: boolean;
    channelType: string | null;
    destination: string | null;
    lockedUntil: string | null;
    consecutiveFailures: number;
  };
}
interface AuditItem {
  id: string;
  type: string;
  userId: string | null;
  actor: { type: string; id: string | null };
  ip: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const AUDIT_TYPES = [
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

/** The signed-in admin's tokens; calls refresh once when the access token has expired. */
class Session {
  constructor(
    private tokens: AuthenticatedAnswer,
    readonly me: Me,
    private readonly onEnded: () => void,
  ) {}

  get base(): string {
    return `/v1/tenants/${encodeURIComponent(this.me.tenant)}`;
  }

  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    try {
      return await api<T>(method, path, { ...opts, token: this.tokens.accessToken });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
      try {
        this.tokens = await api<AuthenticatedAnswer>('POST', '/v1/auth/refresh', {
          body: { refreshToken: this.tokens.refreshToken },
        });
      } catch {
        this.onEnded();
        throw err;
      }
      return api<T>(method, path, { ...opts, token: this.tokens.accessToken });
    }
  }

  async logout(): Promise<void> {
    await api('POST', '/v1/auth/logout', { token: this.tokens.accessToken }).catch(() => undefined);
  }
}

function start(message?: string): void {
  mountSignIn(main, {
    title: 'Admin console: sign in',
    tenant: tenantHint,
    onSignedIn: (answer) => void opened(answer),
  });
  if (message) (document.getElementById('alert') as HTMLElement).textContent = message;
}

async function opened(answer: AuthenticatedAnswer): Promise<void> {
  const me = await api<Me>('GET', '/v1/auth/me', { token: answer.accessToken });
  if (!me.roles.includes('admin')) {
    await api('POST', '/v1/auth/logout', { token: answer.accessToken }).catch(() => undefined);
    start(`${me.username} is not an admin of ${me.tenant}.`);
    return;
  }
  const session = new Session(answer, me, () =>
    start('Your session has ended. Please sign in again.'),
  );
  console_(session);
}

/** The console: a tab list over four panels. */
function console_(s: Session): void {
  const alert = h('p', { class: 'alert', role: 'alert', id: 'admin-alert' });
  const status = h('p', { class: 'status', role: 'status', id: 'admin-status' });
  const panel = h('section', { id: 'panel', role: 'tabpanel', tabindex: -1 });
  const tabs: Array<[string, string, () => Promise<void>]> = [
    ['settings', 'Two-factor settings', () => settingsPanel(s, panel, ui)],
    ['channels', 'Channels', () => channelsPanel(s, panel, ui)],
    ['users', 'Users', () => usersPanel(s, panel, ui)],
    ['audit', 'Audit events', () => auditPanel(s, panel, ui)],
  ];
  const ui = {
    error: (err: unknown) => {
      status.textContent = '';
      alert.textContent = messageFor(err, 'admin');
    },
    ok: (text: string) => {
      alert.textContent = '';
      status.textContent = text;
    },
  };
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Console sections' });
  const select = async (id: string) => {
    for (const b of Array.from(tablist.children) as HTMLButtonElement[]) {
      const on = b.dataset.tab === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    alert.textContent = '';
    status.textContent = '';
    try {
      await tabs.find((t) => t[0] === id)![2]();
    } catch (err) {
      ui.error(err);
    }
  };
  for (const [id, label] of tabs)
    tablist.append(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${id}`,
          'data-tab': id,
          'aria-controls': 'panel',
          onclick: () => void select(id),
        },
        label,
      ),
    );
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  tablist.addEventListener('keydown', (e) => {
    const buttons = Array.from(tablist.children) as HTMLButtonElement[];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    const next = buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    void select(next.dataset.tab!);
  });
  replace(
    main,
    h(
      'header',
      { class: 'bar' },
      h('h1', {}, `Admin console: ${s.me.tenant}`),
      h('span', { id: 'admin-user' }, `Signed in as ${s.me.username}`),
      h(
        'button',
        {
          type: 'button',
          id: 'logout',
          class: 'secondary',
          onclick: () => void s.logout().then(() => start()),
        },
        'Sign out',
      ),
    ),
    tablist,
    alert,
    status,
    panel,
  );
  void select('settings');
}

interface Ui {
  error: (err: unknown) => void;
  ok: (text: string) => void;
}

function numberField(label: string, id: string, value: number, min: number, max: number) {
  return field(label, {
    id,
    type: 'number',
    min,
    max,
    value,
    required: true,
    inputmode: 'numeric',
  });
}

async function settingsPanel(s: Session, panel: HTMLElement, ui: Ui): Promise<void> {
  const [settings, channels] = await Promise.all([
    s.call<Settings>('GET', `${s.base}/settings/2fa`),
    s.call<{ items: Channel[] }>('GET', `${s.base}/channels`),
  ]);
  const enabled = h('input', {
    type: 'checkbox',
    id: 'settings-enabled',
    checked: settings.enabled,
  });
  const channel = h(
    'select',
    { id: 'settings-channel' },
    h('option', { value: '' }, '(none)'),
    ...channels.items.map((c) =>
      h(
        'option',
        { value: c.id, selected: c.id === settings.channelId, disabled: !c.enabled },
        `${c.name} (${c.type}${c.enabled ? '' : ', disabled'})`,
      ),
    ),
  );
  const o = settings.otp;
  const l = settings.lockout;
  const f = {
    length: numberField('Code length (digits)', 'otp-length', o.length, 6, 10),
    ttlSeconds: numberField('Code lifetime (seconds)', 'otp-ttl', o.ttlSeconds, 30, 600),
    resendCooldownSeconds: numberField(
      'Resend cooldown (seconds)',
      'otp-cooldown',
      o.resendCooldownSeconds,
      0,
      3600,
    ),
    maxAttempts: numberField('Wrong tries per code', 'otp-attempts', o.maxAttempts, 1, 20),
    maxResendsPerLogin: numberField(
      'New codes per sign-in',
      'otp-resends',
      o.maxResendsPerLogin,
      0,
      20,
    ),
    maxConsecutiveFailures: numberField(
      'Wrong codes before the account locks',
      'lockout-failures',
      l.maxConsecutiveFailures,
      10,
      100,
    ),
    durationSeconds: numberField(
      'Lock duration (seconds)',
      'lockout-duration',
      l.durationSeconds,
      60,
      86400,
    ),
  };
  const form = h(
    'form',
    { id: 'settings-form', novalidate: true },
    h('h2', {}, 'Two-factor settings'),
    h(
      'div',
      { class: 'field inline' },
      enabled,
      h('label', { for: 'settings-enabled' }, 'Ask every user of this tenant for a second factor'),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'settings-channel' }, 'Active channel'),
      channel,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Codes'),
      f.length.row,
      f.ttlSeconds.row,
      f.resendCooldownSeconds.row,
      f.maxAttempts.row,
      f.maxResendsPerLogin.row,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Account lockout'),
      f.maxConsecutiveFailures.row,
      f.durationSeconds.row,
    ),
    h('button', { type: 'submit', id: 'settings-save' }, 'Save settings'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = (x: { input: HTMLInputElement }) => Number(x.input.value);
    void s
      .call<Settings>('PUT', `${s.base}/settings/2fa`, {
        body: {
          enabled: enabled.checked,
          channelId: channel.value || null,
          otp: {
            length: n(f.length),
            ttlSeconds: n(f.ttlSeconds),
            resendCooldownSeconds: n(f.resendCooldownSeconds),
            maxAttempts: n(f.maxAttempts),
            maxResendsPerLogin: n(f.maxResendsPerLogin),
          },
          lockout: {
            maxConsecutiveFailures: n(f.maxConsecutiveFailures),
            durationSeconds: n(f.durationSeconds),
          },
        },
      })
      .then((saved) =>
        ui.ok(
          saved.enabled
            ? `Saved: two-factor sign-in is on (${saved.channelType}) from the next login.`
            : 'Saved: two-factor sign-in is off.',
        ),
      )
      .catch(ui.error);
  });
  replace(panel, form);
}

async function channelsPanel(s: Session, panel: HTMLElement, ui: Ui): Promise<void> {
  const { items } = await s.call<{ items: Channel[] }>('GET', `${s.base}/channels`);
  const rows = items.map((c) => {
    const to = h('input', {
      type: 'email',
      id: `test-to-${c.id}`,
      'aria-label': `Test address for ${c.name}`,
      placeholder: 'someone@example.com',
    });
    const test = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-test': c.id,
        onclick: () =>
          void s
            .call('POST', `${s.base}/channels/${c.id}/test`, { body: { to: to.value.trim() } })
            .then(() => ui.ok(`Test mail sent through ${c.name} to ${to.value.trim()}.`))
            .catch(ui.error),
      },
      'Send test',
    );
    return h(
      'tr',
      { 'data-channel': c.id },
      h('td', {}, c.name),
      h('td', {}, c.type),
      h('td', {}, c.enabled ? 'yes' : 'no'),
      h('td', {}, c.active ? 'active' : ''),
      h('td', {}, c.type === 'email' ? h('span', { class: 'inline' }, to, test) : '—'),
    );
  });
  const type = h(
    'select',
    { id: 'channel-type' },
    h('option', { value: 'email' }, 'email'),
    h('option', { value: 'authenticator' }, 'authenticator'),
  );
  const name = field('Name', { id: 'channel-name', required: true });
  const email = {
    host: field('SMTP host', { id: 'smtp-host' }),
    port: field('SMTP port', { id: 'smtp-port', type: 'number', value: 587 }),
    username: field('SMTP username', { id: 'smtp-username', autocomplete: 'off' }),
    password: field('SMTP password', {
      id: 'smtp-password',
      type: 'password',
      autocomplete: 'new-password',
    }),
    from: field('From', { id: 'smtp-from', placeholder: 'EFCX <no-reply@example.com>' }),
  };
  const tls = h(
    'select',
    { id: 'smtp-tls' },
    h('option', { value: 'starttls' }, 'STARTTLS (required)'),
    h('option', { value: 'implicit' }, 'TLS from the start (port 465)'),
    h('option', { value: 'none' }, 'none (plain text)'),
  );
  const app = {
    issuer: field('Issuer (shown in the app)', { id: 'app-issuer' }),
  };
  const emailSet = h(
    'fieldset',
    { id: 'email-config' },
    h('legend', {}, 'SMTP'),
    email.host.row,
    email.port.row,
    h('div', { class: 'field' }, h('label', { for: 'smtp-tls' }, 'Transport security'), tls),
    email.username.row,
    email.password.row,
    email.from.row,
  );
  const appSet = h(
    'fieldset',
    { id: 'app-config', hidden: true },
    h('legend', {}, 'Authenticator'),
    app.issuer.row,
  );
  type.addEventListener('change', () => {
    emailSet.hidden = type.value !== 'email';
    appSet.hidden = type.value !== 'authenticator';
  });
  const form = h(
    'form',
    { id: 'channel-form', novalidate: true },
    h('h3', {}, 'New channel'),
    h('div', { class: 'field' }, h('label', { for: 'channel-type' }, 'Type'), type),
    name.row,
    emailSet,
    appSet,
    h('button', { type: 'submit', id: 'channel-create' }, 'Create channel'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const config =
      type.value === 'email'
        ? {
            host: email.host.input.value.trim(),
            port: Number(email.port.input.value),
            tls: tls.value,
            ...(email.username.input.value ? { username: email.username.input.value } : {}),
            ...(email.password.input.value ? { password: email.password.input.value } : {}),
            from: email.from.input.value.trim(),
          }
        : { issuer: app.issuer.input.value.trim() || s.me.tenant };
    void s
      .call<Channel>('POST', `${s.base}/channels`, {
        body: { type: type.value, name: name.input.value.trim(), enabled: true, config },
      })
      .then(async (c) => {
        await channelsPanel(s, panel, ui);
        ui.ok(`Channel ${c.name} created.`);
      })
      .catch(ui.error);
  });
  replace(
    panel,
    h('h2', {}, 'Channels'),
    h(
      'table',
      { id: 'channels' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Name', 'Type', 'Enabled', 'Active', 'Test'].map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    form,
  );
}

async function usersPanel(s: Session, panel: HTMLElement, ui: Ui): Promise<void> {
  const filter = field('Username starts with', { id: 'user-filter', type: 'search' });
  const shared = h('input', { type: 'checkbox', id: 'user-shared' });
  const tbody = h('tbody');
  const more = h(
    'button',
    { type: 'button', id: 'users-more', class: 'secondary', hidden: true },
    'More',
  );
  let cursor: string | null = null;

  const load = async (reset: boolean) => {
    const page = await s.call<Page<UserItem>>('GET', `${s.base}/users`, {
      query: {
        limit: '50',
        username: filter.input.value || undefined,
        sharedEmail: shared.checked ? 'true' : undefined,
        cursor: reset ? undefined : (cursor ?? undefined),
      },
    });
    if (reset) tbody.replaceChildren();
    for (const u of page.items) tbody.append(userRow(u));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  const userRow = (u: UserItem): HTMLElement => {
    const tf = u.twoFactor;
    const locked = tf.lockedUntil && Date.parse(tf.lockedUntil) > Date.now();
    const reset = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-reset': u.id,
        onclick: () => {
          if (
            !window.confirm(
              `Reset the second factor of ${u.username}? They register again at their next sign-in, and their sessions end.`,
            )
          )
            return;
          void s
            .call('DELETE', `${s.base}/users/${u.id}/2fa`)
            .then(async () => {
              await load(true);
              ui.ok(`The second factor of ${u.username} was reset.`);
            })
            .catch(ui.error);
        },
      },
      'Reset 2FA',
    );
    const unlock = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-unlock': u.id,
        onclick: () =>
          void s
            .call('DELETE', `${s.base}/users/${u.id}/2fa/lock`)
            .then(async () => {
              await load(true);
              ui.ok(`${u.username} is unlocked.`);
            })
            .catch(ui.error),
      },
      'Unlock',
    );
    return h(
      'tr',
      { 'data-user': u.username },
      h('td', {}, u.username, u.disabled ? ' (disabled)' : ''),
      h('td', {}, u.roles.join(', ')),
      h(
        'td',
        { class: 'two-factor' },
        tf.registered
          ? `${tf.channelType}${tf.destination ? `: ${tf.destination}` : ''}`
          : 'not registered',
        u.sharedEmail
          ? h(
              'strong',
              {
                class: 'warning',
                title: 'Another user of this tenant has the same 2FA email address',
              },
              ' ⚠ shared email',
            )
          : null,
      ),
      h(
        'td',
        {},
        locked
          ? `locked until ${new Date(tf.lockedUntil!).toLocaleTimeString()}`
          : `${tf.consecutiveFailures} wrong`,
      ),
      h(
        'td',
        {},
        tf.registered || locked ? reset : null,
        locked || tf.consecutiveFailures ? unlock : null,
      ),
    );
  };
  const form = h(
    'form',
    { id: 'users-filter', class: 'inline', novalidate: true },
    filter.row,
    h(
      'div',
      { class: 'field inline' },
      shared,
      h('label', { for: 'user-shared' }, 'Only shared 2FA emails'),
    ),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(true).catch(ui.error);
  });
  more.addEventListener('click', () => void load(false).catch(ui.error));
  replace(
    panel,
    h('h2', {}, 'Users'),
    form,
    h(
      'table',
      { id: 'users' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Username', 'Roles', 'Second factor', 'Failures', 'Actions'].map((x) =>
            h('th', { scope: 'col' }, x),
          ),
        ),
      ),
      tbody,
    ),
    more,
  );
  await load(true);
}

async function auditPanel(s: Session, panel: HTMLElement, ui: Ui): Promise<void> {
  const type = h(
    'select',
    { id: 'audit-type' },
    h('option', { value: '' }, 'all types'),
    ...AUDIT_TYPES.map((t) => h('option', { value: t }, t)),
  );
  const tbody = h('tbody');
  const more = h(
    'button',
    { type: 'button', id: 'audit-more', class: 'secondary', hidden: true },
    'Older events',
  );
  let cursor: string | null = null;
  const load = async (reset: boolean) => {
    const page = await s.call<Page<AuditItem>>('GET', `${s.base}/audit-events`, {
      query: {
        limit: '50',
        type: type.value || undefined,
        cursor: reset ? undefined : (cursor ?? undefined),
      },
    });
    if (reset) tbody.replaceChildren();
    for (const e of page.items)
      tbody.append(
        h(
          'tr',
          { 'data-type': e.type },
          h('td', {}, new Date(e.createdAt).toLocaleString()),
          h('td', {}, e.type),
          h('td', {}, e.userId ?? '—'),
          h('td', {}, e.actor.type === 'platform' ? 'platform' : (e.actor.id ?? 'user')),
          h('td', {}, e.ip ?? ''),
          h('td', {}, h('code', {}, JSON.stringify(e.data))),
        ),
      );
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  type.addEventListener('change', () => void load(true).catch(ui.error));
  more.addEventListener('click', () => void load(false).catch(ui.error));
  replace(
    panel,
    h('h2', {}, 'Audit events'),
    h('div', { class: 'field' }, h('label', { for: 'audit-type' }, 'Type'), type),
    h(
      'table',
      { id: 'audit' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['When', 'Type', 'User', 'Actor', 'IP', 'Data'].map((x) =>
            h('th', { scope: 'col' }, x),
          ),
        ),
      ),
      tbody,
    ),
    more,
  );
  await load(true);
}

start();
