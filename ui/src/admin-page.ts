import { api } from './api.js';
import { auditPanel } from './admin/audit.js';
import { channelsPanel } from './admin/channels.js';
import { Panel, Session, Ui } from './admin/session.js';
import { settingsPanel } from './admin/settings.js';
import { templatesPanel } from './admin/templates.js';
import type { Authenticated, Me } from './admin/types.js';
import { usersPanel } from './admin/users.js';
import { webhooksPanel } from './admin/webhooks.js';
import { h, replace } from './dom.js';
import { messageFor } from './messages.js';
import { mountSignIn } from './signin-flow.js';

/**
 * `/admin`: the tenant admin console. The admin signs in like everyone (2FA included), then
 * manages the tenant's 2FA settings, channels, webhooks and email templates, its users' 2FA and
 * devices, and reads the audit log. This file is the shell (sign-in, tabs); each panel is a file in ui/src/admin/.
 */
const main = document.getElementById('app') as HTMLElement;
const tenantHint = new URLSearchParams(location.search).get('tenant') ?? undefined;

function start(message?: string): void {
  mountSignIn(main, {
    title: 'Admin console: sign in',
    tenant: tenantHint,
    onSignedIn: (answer) => void opened(answer),
  });
  if (message) (document.getElementById('alert') as HTMLElement).textContent = message;
}

async function opened(answer: Authenticated): Promise<void> {
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

/** The console: a tab list over the panels (ui/src/admin/, one file each). */
function console_(s: Session): void {
  const alert = h('p', { class: 'alert', role: 'alert', id: 'admin-alert' });
  const status = h('p', { class: 'status', role: 'status', id: 'admin-status' });
  const panel = h('section', { id: 'panel', role: 'tabpanel', tabindex: -1 });
  const tabs: Array<[string, string, Panel]> = [
    ['settings', 'Two-factor settings', settingsPanel],
    ['channels', 'Channels', channelsPanel],
    ['users', 'Users', usersPanel],
    ['audit', 'Audit events', auditPanel],
    ['webhooks', 'Webhooks', webhooksPanel],
    ['templates', 'Email templates', templatesPanel],
  ];
  const ui: Ui = {
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
      await tabs.find((t) => t[0] === id)![2](s, panel, ui);
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

start();
