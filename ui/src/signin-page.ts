import { api, AuthenticatedAnswer, Me } from './api.js';
import { claimRows } from './claims.js';
import { h, jwtClaims, replace } from './dom.js';
import { messageFor } from './messages.js';
import { mountSignIn } from './signin-flow.js';
import { clearSession, saveSession } from './session-store.js';

/** `/`: the reference sign-in page. On success: who is signed in, and the token's claims. */
const main = document.getElementById('app') as HTMLElement;
const tenant = new URLSearchParams(location.search).get('tenant') ?? undefined;

async function showDevInbox(): Promise<void> {
  // Development only: the inbox answers on loopback when the service catches mail itself; the
  // page asks only when the service marked the slot (never in production).
  if (!document.getElementById('dev-inbox')?.hasAttribute('data-on')) return;
  const res = await fetch('/dev/inbox.json', { headers: { accept: 'application/json' } }).catch(
    () => null,
  );
  if (!res?.ok) return;
  const slot = document.getElementById('dev-inbox');
  if (!slot) return;
  replace(
    slot,
    'Development: codes sent by email land in the ',
    h(
      'a',
      { href: '/dev/inbox', target: '_blank', rel: 'noopener', id: 'dev-inbox-link' },
      'development inbox',
    ),
    '.',
  );
}

function signedIn(answer: AuthenticatedAnswer): void {
  let tokens = answer;
  const out = h('section', { 'aria-labelledby': 'who' });
  const alert = h('p', { class: 'alert', role: 'alert' });
  const render = async () => {
    const me = await api<Me>('GET', '/v1/auth/me', { token: tokens.accessToken });
    // The account page (/account) of this tab takes over these tokens.
    saveSession(tokens, me.tenant);
    const claims = jwtClaims(tokens.accessToken);
    const rows = Object.entries(claims).flatMap(([k, v]) => claimRows(k, v));
    const tf = me.twoFactor;
    replace(
      out,
      h('h1', { id: 'who', tabindex: -1 }, `Signed in as ${me.username}`),
      alert,
      h(
        'dl',
        { id: 'me' },
        h('dt', {}, 'Tenant'),
        h('dd', { id: 'me-tenant' }, me.tenant),
        h('dt', {}, 'Roles'),
        h('dd', { id: 'me-roles' }, me.roles.join(', ') || '—'),
        h('dt', {}, 'Second factor'),
        h(
          'dd',
          { id: 'me-2fa' },
          tf.registered
            ? `${tf.channelType}${tf.destination ? ` (${tf.destination})` : ''}`
            : 'not registered',
        ),
      ),
      h(
        'p',
        {},
        h(
          'a',
          { href: '/account', id: 'account-link' },
          'Your account: second factor, recovery codes, devices',
        ),
      ),
      h('h2', {}, 'Access token claims'),
      h('table', { id: 'claims' }, h('tbody', {}, ...rows)),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', id: 'refresh', onclick: () => void refresh() },
          'Refresh tokens',
        ),
        h(
          'button',
          { type: 'button', id: 'logout', class: 'secondary', onclick: () => void logout() },
          'Sign out',
        ),
      ),
    );
    (out.querySelector('#who') as HTMLElement).focus();
  };
  const refresh = async () => {
    try {
      tokens = await api<AuthenticatedAnswer>('POST', '/v1/auth/refresh', {
        body: { refreshToken: tokens.refreshToken },
      });
      await render();
      alert.textContent = '';
      (out.querySelector('.status') as HTMLElement | null)?.remove();
      out.insertBefore(
        h('p', { class: 'status', role: 'status' }, 'New tokens issued.'),
        out.children[1],
      );
    } catch (err) {
      alert.textContent = messageFor(err, 'admin');
    }
  };
  const logout = async () => {
    await api('POST', '/v1/auth/logout', { token: tokens.accessToken }).catch(() => undefined);
    clearSession();
    start();
  };
  replace(main, out);
  render().catch((err: unknown) => {
    alert.textContent = messageFor(err, 'admin');
  });
}

function start(): void {
  mountSignIn(main, { title: 'Sign in', tenant, onSignedIn: signedIn });
}

start();
void showDevInbox();
