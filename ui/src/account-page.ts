import { api, ApiError, AppRegistration, AuthenticatedAnswer, CodeStatus, Me } from './api.js';
import { field, h, replace } from './dom.js';
import { authenticatorEnrolment } from './enrolment.js';
import { messageFor } from './messages.js';
import { loadSession, saveSession, StoredSession } from './session-store.js';

/**
 * `/account`: the signed-in user's own page (API.md v1.1 §6-§8). Their second factor and the
 * recovery codes left; new recovery codes (shown once, to copy or download); changing the second
 * factor (register, then confirm with the new factor's code); the devices and their revocation.
 * The tokens come from the sign-in page of this tab (session-store). Sensitive changes need a
 * recent sign-in with the second factor: REAUTHENTICATION_REQUIRED links back to the sign-in.
 */
interface Device {
  id: string;
  name: string;
  remembered: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  lastIp: string | null;
}

const main = document.getElementById('app') as HTMLElement;
let session: StoredSession | null = loadSession();
const alert = h('p', { class: 'alert', role: 'alert', 'aria-live': 'assertive', id: 'alert' });
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'status' });

const signInHref = () => (session?.tenant ? `/?tenant=${encodeURIComponent(session.tenant)}` : '/');
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const unauthenticated = () =>
  new ApiError(401, { statusCode: 401, code: 'UNAUTHENTICATED', message: '' }, null);

/** A new token pair for the stored refresh token (rotation); kept for this tab. */
async function renew(): Promise<void> {
  if (!session) throw unauthenticated();
  const t = await api<AuthenticatedAnswer>('POST', '/v1/auth/refresh', {
    body: { refreshToken: session.refreshToken },
  });
  session = { accessToken: t.accessToken, refreshToken: t.refreshToken, tenant: session.tenant };
  saveSession(session, session.tenant);
}

/**
 * One call with the access token. An access token that stopped working (expired, or the 2FA
 * change just made: its tokens carry the old version) is renewed once with the refresh token.
 */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!session) throw unauthenticated();
  try {
    return await api<T>(method, path, { token: session.accessToken, body });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
    await renew();
    return api<T>(method, path, { token: session.accessToken, body });
  }
}

/** What went wrong, in the alert; a sign-in that is too old (or over) links to the sign-in page. */
function fail(err: unknown): void {
  status.textContent = '';
  const again = h('a', { href: signInHref(), id: 'reauth-link' }, 'Sign in again');
  if (err instanceof ApiError && err.code === 'REAUTHENTICATION_REQUIRED') {
    replace(
      alert,
      'For this change, sign in again with your second factor (your sign-in is too old, or did not use it). ',
      again,
    );
    return;
  }
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
    replace(alert, 'Your session has ended. ', again);
    return;
  }
  replace(alert, messageFor(err, 'code'));
}

/** Runs `work` with `button` disabled; errors go to the alert. */
async function busy(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  button.disabled = true;
  replace(alert);
  try {
    await work();
  } catch (err) {
    fail(err);
  } finally {
    button.disabled = false;
  }
}

function recoverySection(left: HTMLElement): HTMLElement {
  const slot = h('div', { id: 'codes-slot' });
  const regenerate = h(
    'button',
    { type: 'button', id: 'regenerate', class: 'secondary' },
    'Regenerate recovery codes',
  );
  regenerate.addEventListener('click', () => {
    void busy(regenerate, async () => {
      const set = await call<{ codes: string[]; createdAt: string }>(
        'POST',
        '/v1/auth/me/recovery-codes',
        {},
      );
      showCodes(slot, set.codes);
      left.textContent = String(set.codes.length);
      status.textContent = 'New recovery codes made. The old ones no longer work.';
    });
  });
  return h(
    'section',
    { 'aria-labelledby': 'recovery-title' },
    h('h2', { id: 'recovery-title' }, 'Recovery codes'),
    h(
      'p',
      {},
      'A recovery code signs you in once when your second factor is out of reach. A new set ' +
        'replaces the old one.',
    ),
    regenerate,
    slot,
  );
}

function showCodes(slot: HTMLElement, codes: string[]): void {
  const text = codes.join('\n') + '\n';
  const copy = h('button', { type: 'button', id: 'copy-codes' }, 'Copy');
  copy.addEventListener('click', () => {
    navigator.clipboard
      .writeText(text)
      .then(() => (status.textContent = 'Codes copied.'))
      .catch(() => (status.textContent = 'Copying is not allowed here: select the codes.'));
  });
  const download = h(
    'a',
    {
      id: 'download-codes',
      class: 'button secondary',
      download: 'efcx-recovery-codes.txt',
      href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })),
    },
    'Download',
  );
  replace(
    slot,
    h('p', { class: 'warning' }, 'Shown once: keep them somewhere safe, apart from your phone.'),
    h(
      'ol',
      { id: 'recovery-codes', class: 'codes' },
      ...codes.map((c) => h('li', {}, h('code', {}, c))),
    ),
    h('div', { class: 'actions' }, copy, download),
  );
}

function factorSection(me: Me): HTMLElement {
  const slot = h('div', { id: 'factor-slot' });
  const change = h(
    'button',
    { type: 'button', id: 'change-factor', class: 'secondary' },
    'Change second factor',
  );
  change.addEventListener('click', () => {
    if (me.twoFactor.channelType === 'email') return addressForm(slot);
    void busy(change, () => startApp(slot));
  });
  return h(
    'section',
    { 'aria-labelledby': 'factor-title' },
    h('h2', { id: 'factor-title' }, 'Second factor'),
    h(
      'p',
      {},
      'New phone or new address? Set it up here. Your current second factor keeps working until ' +
        'you confirm the new one; then your other sessions are signed out.',
    ),
    change,
    slot,
  );
}

/** The authenticator: a new secret and QR; an email tenant answers 400 for `{}` (its address). */
async function startApp(slot: HTMLElement): Promise<void> {
  let reg: AppRegistration;
  try {
    reg = await call<AppRegistration>('POST', '/v1/auth/me/2fa/register', {});
  } catch (err) {
    const fields = err instanceof ApiError ? (err.body.details ?? []).map((d) => d.field) : [];
    if (fields.includes('destination') || fields.includes('email')) return addressForm(slot);
    throw err;
  }
  confirmForm(slot, [
    h('p', {}, 'Scan this QR code with the new authenticator app, then type the code it shows.'),
    ...authenticatorEnrolment(reg),
  ]);
}

function addressForm(slot: HTMLElement): void {
  const address = field('New email address', {
    id: 'new-destination',
    name: 'destination',
    type: 'email',
    required: true,
    autocomplete: 'email',
  });
  const send = h('button', { type: 'submit', id: 'send-code' }, 'Send a code');
  const form = h('form', { id: 'address-form', novalidate: true }, address.row, send);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(send, async () => {
      const st = await call<CodeStatus>('POST', '/v1/auth/me/2fa/register', {
        destination: address.input.value.trim(),
      });
      confirmForm(slot, [
        h('p', { id: 'sent-to' }, `We sent a code to ${st.destination ?? 'it'}.`),
      ]);
    });
  });
  replace(slot, form);
  address.input.focus();
}

function confirmForm(slot: HTMLElement, intro: Node[]): void {
  const code = field('Code', {
    id: 'new-code',
    name: 'code',
    required: true,
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    maxlength: 10,
    spellcheck: 'false',
  });
  const confirm = h('button', { type: 'submit', id: 'confirm' }, 'Confirm');
  const form = h('form', { id: 'confirm-form', novalidate: true }, ...intro, code.row, confirm);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = code.input.value.replace(/\s+/g, '');
    if (!value) return void replace(alert, 'Please enter the code.');
    void busy(confirm, async () => {
      try {
        await call('POST', '/v1/auth/me/2fa/confirm', { code: value });
      } finally {
        code.input.value = '';
      }
      await render('Your second factor was changed. Your other sessions were signed out.');
    });
  });
  replace(slot, form);
  code.input.focus();
}

function devicesSection(): { section: HTMLElement; load: () => Promise<void> } {
  const list = h('ul', { id: 'devices', class: 'devices' });
  const load = async () => {
    const { items } = await call<{ items: Device[] }>('GET', '/v1/auth/me/devices');
    if (items.length === 0) return replace(list, h('li', { id: 'no-devices' }, 'No devices'));
    replace(
      list,
      ...items.map((d) => {
        const revoke = h(
          'button',
          { type: 'button', class: 'secondary', 'data-device': d.id },
          'Revoke',
        );
        revoke.addEventListener('click', () => {
          void busy(revoke, async () => {
            await call('DELETE', `/v1/auth/me/devices/${encodeURIComponent(d.id)}`);
            status.textContent = 'Device revoked.';
            await load();
          });
        });
        return h(
          'li',
          {},
          h('strong', {}, d.name),
          h(
            'span',
            { class: 'muted' },
            ` · ${d.remembered ? `remembered until ${when(d.expiresAt)}` : 'not remembered'}` +
              ` · last used ${when(d.lastUsedAt)}${d.lastIp ? ` from ${d.lastIp}` : ''}`,
          ),
          ' ',
          revoke,
        );
      }),
    );
  };
  const section = h(
    'section',
    { 'aria-labelledby': 'devices-title' },
    h('h2', { id: 'devices-title' }, 'Devices'),
    list,
  );
  return { section, load };
}

async function render(note?: string): Promise<void> {
  const me = await call<Me>('GET', '/v1/auth/me');
  const tf = me.twoFactor;
  const left = h('dd', { id: 'account-recovery-left' }, String(tf.recoveryCodesRemaining ?? 0));
  const devices = devicesSection();
  replace(
    main,
    h('h1', { id: 'account-title', tabindex: -1 }, 'Your account'),
    alert,
    status,
    h(
      'dl',
      { id: 'account' },
      h('dt', {}, 'User'),
      h('dd', { id: 'account-user' }, me.username),
      h('dt', {}, 'Tenant'),
      h('dd', { id: 'account-tenant' }, me.tenant),
      h('dt', {}, 'Second factor'),
      h(
        'dd',
        { id: 'account-2fa' },
        tf.registered
          ? `${tf.channelType}${tf.destination ? ` (${tf.destination})` : ''}`
          : 'not registered',
      ),
      h('dt', {}, 'Recovery codes left'),
      left,
    ),
    recoverySection(left),
    factorSection(me),
    devices.section,
    h('p', {}, h('a', { href: signInHref(), id: 'back-link' }, 'Back to the sign-in page')),
  );
  replace(alert);
  status.textContent = note ?? '';
  (main.querySelector('#account-title') as HTMLElement).focus();
  await devices.load().catch(fail);
}

function signedOut(text: string): void {
  replace(
    main,
    h('h1', { id: 'account-title' }, 'Your account'),
    h('p', { id: 'signed-out' }, text),
    h('p', {}, h('a', { href: signInHref(), id: 'signin-link' }, 'Sign in')),
  );
}

if (!session) signedOut('You are not signed in in this tab.');
else
  render().catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED')
      return signedOut('Your session has ended. Please sign in again.');
    replace(main, h('h1', {}, 'Your account'), alert);
    fail(err);
  });
