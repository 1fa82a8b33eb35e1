import {
  api,
  ApiError,
  AppRegistration,
  AuthenticatedAnswer,
  CodeStatus,
  LoginAnswer,
} from './api.js';
import { field, formatSeconds, h, replace } from './dom.js';
import { authenticatorEnrolment } from './enrolment.js';
import { messageFor } from './messages.js';

/**
 * The sign-in of API.md as a person sees it: tenant, username and password; then, per the login
 * answer, the email registration step, the QR-code registration step, or the code step (masked
 * address, a resend button counting down `resendAvailableAt`). Shared by the sign-in page and
 * the admin console. Works with the keyboard alone: every step focuses its first field.
 */
/** 429 TWO_FACTOR_LOCKED of a login whose account has recovery codes left (API.md v1.1 §6). */
interface LockedBody {
  code: string;
  mfaToken: string;
  recoveryCodeAllowed?: boolean;
}

export interface SignInOptions {
  title: string;
  tenant?: string;
  onSignedIn: (answer: AuthenticatedAnswer) => void;
}

/**
 * The device tokens of this browser (API.md v1.1 §7), one per tenant and username: sent in every
 * login, so a remembered browser skips the code and the owner's browser is exempt from the
 * per-account limit (§9). localStorage: it outlives the tab, like a device cookie.
 */
const DEVICE_STORE = 'efcx.deviceTokens';
const deviceKey = (tenant: string, username: string) =>
  `${tenant.toLowerCase()}\u0000${username.toLowerCase()}`;

function deviceTokens(): Record<string, string> {
  try {
    const stored = JSON.parse(localStorage.getItem(DEVICE_STORE) ?? '{}') as unknown;
    return stored && typeof stored === 'object' ? (stored as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function rememberToken(key: string, token: string | undefined): void {
  if (!token) return;
  try {
    localStorage.setItem(DEVICE_STORE, JSON.stringify({ ...deviceTokens(), [key]: token }));
  } catch {
    // Storage refused (private mode, quota): the next login simply makes a new device.
  }
}

export function mountSignIn(container: HTMLElement, opts: SignInOptions): void {
  const alert = h('p', { class: 'alert', role: 'alert', 'aria-live': 'assertive', id: 'alert' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'status' });
  const body = h('div', { class: 'step' });
  replace(container, h('h1', {}, opts.title), alert, status, body);
  let countdown: number | undefined;
  /** The tenant and username of the sign-in under way: whose device token an answer carries. */
  let device = '';

  const say = (text: string) => {
    alert.textContent = text;
  };
  const info = (text: string) => {
    status.textContent = text;
  };
  const clear = () => {
    say('');
    info('');
    if (countdown !== undefined) window.clearInterval(countdown);
    countdown = undefined;
  };

  /** Runs `work` with the form's buttons disabled; errors go to the alert. */
  async function busy(
    form: HTMLFormElement,
    work: () => Promise<void>,
    stage: 'password' | 'code',
  ) {
    const buttons = Array.from(form.querySelectorAll('button'));
    buttons.forEach((b) => (b.disabled = true));
    try {
      say('');
      await work();
    } catch (err) {
      say(messageFor(err, stage));
      // A sign-in that ended (spent, expired, limit reached) cannot go on: start over.
      if (
        err instanceof ApiError &&
        ['UNAUTHENTICATED', 'OTP_RESEND_LIMIT'].includes(err.code) &&
        stage === 'code'
      ) {
        const msg = alert.textContent ?? '';
        credentials();
        say(msg);
        return;
      }
    } finally {
      // A button under a countdown stays as its countdown says.
      buttons.forEach((b) => (b.disabled = b.dataset.counting === 'true'));
      if (form.isConnected) form.dispatchEvent(new Event('efcx:settled'));
    }
  }

  function credentials(): void {
    clear();
    const tenant = field('Tenant', {
      id: 'tenant',
      name: 'tenant',
      required: true,
      autocomplete: 'organization',
      value: opts.tenant ?? '',
    });
    const username = field('Username', {
      id: 'username',
      name: 'username',
      required: true,
      autocomplete: 'username',
    });
    const password = field('Password', {
      id: 'password',
      name: 'password',
      type: 'password',
      required: true,
      autocomplete: 'current-password',
    });
    const form = h(
      'form',
      { id: 'login-form', novalidate: true },
      tenant.row,
      username.row,
      password.row,
      h('button', { type: 'submit', id: 'login' }, 'Sign in'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!tenant.input.value || !username.input.value || !password.input.value) {
        say('Please fill in the tenant, your username and your password.');
        return;
      }
      void busy(
        form,
        async () => {
          device = deviceKey(tenant.input.value.trim(), username.input.value.trim());
          const deviceToken = deviceTokens()[device];
          let answer: LoginAnswer;
          try {
            answer = await api<LoginAnswer>('POST', '/v1/auth/login', {
              body: {
                tenant: tenant.input.value.trim(),
                username: username.input.value.trim(),
                password: password.input.value,
                ...(deviceToken ? { deviceToken } : {}),
              },
            });
          } catch (err) {
            // A locked account with recovery codes left: its sign-in takes a recovery code.
            const locked = err instanceof ApiError ? (err.body as unknown as LockedBody) : null;
            if (locked?.code !== 'TWO_FACTOR_LOCKED' || !locked.recoveryCodeAllowed) throw err;
            password.input.value = '';
            codeStep(locked.mfaToken, 'recovery_code', {}, [], true);
            say(messageFor(err, 'code'));
            return;
          }
          password.input.value = '';
          route(answer);
        },
        'password',
      );
    });
    replace(body, form);
    (opts.tenant ? username.input : tenant.input).focus();
  }

  function route(answer: LoginAnswer): void {
    if (answer.status === 'AUTHENTICATED') return finish(answer);
    const mfa = answer.mfaToken;
    if (answer.status === 'TWO_FACTOR_REGISTRATION_REQUIRED') {
      if (answer.channel === 'authenticator') return void registerApp(mfa);
      return registerAddress(mfa, answer.channel);
    }
    codeStep(mfa, answer.channel, answer);
  }

  function registerAddress(mfa: string, channel: string): void {
    clear();
    const address = field(channel === 'email' ? 'Email address' : 'Where to send your codes', {
      id: 'destination',
      name: 'destination',
      type: channel === 'email' ? 'email' : 'text',
      required: true,
      autocomplete: channel === 'email' ? 'email' : 'off',
    });
    const form = h(
      'form',
      { id: 'register-form', novalidate: true },
      h(
        'p',
        {},
        'Your organisation asks for a second step at sign-in. Enter the address where your ' +
          'codes should go; we send a code there to confirm it.',
      ),
      address.row,
      h('button', { type: 'submit', id: 'register' }, 'Send a code'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(
        form,
        async () => {
          const status = await api<CodeStatus>('POST', '/v1/auth/2fa/register', {
            token: mfa,
            body: { destination: address.input.value.trim() },
          });
          codeStep(mfa, channel, status);
        },
        'code',
      );
    });
    replace(body, form);
    address.input.focus();
  }

  async function registerApp(mfa: string): Promise<void> {
    clear();
    info('Preparing your authenticator registration…');
    let reg: AppRegistration;
    try {
      reg = await api<AppRegistration>('POST', '/v1/auth/2fa/register', { token: mfa, body: {} });
    } catch (err) {
      credentials();
      say(messageFor(err, 'code'));
      return;
    }
    info('');
    codeStep(mfa, 'authenticator', {}, [
      h(
        'p',
        {},
        'Scan this QR code with your authenticator app (or enter the key by hand), then type ' +
          'the code it shows.',
      ),
      ...authenticatorEnrolment(reg),
    ]);
  }

  function codeStep(
    mfa: string,
    channel: string,
    s: CodeStatus,
    intro: Node[] = [],
    recoveryOnly = false,
  ): void {
    clear();
    const isApp = channel === 'authenticator' || recoveryOnly;
    const code = field('Code', {
      id: 'code',
      name: 'code',
      required: true,
      autocomplete: 'one-time-code',
      inputmode: 'numeric',
      pattern: '[0-9]*',
      maxlength: 10,
      spellcheck: 'false',
    });
    const where = h('p', { id: 'destination-text' });
    // The server honours it only when the tenant allows remembering devices (and ignores it else).
    const remember = h('input', {
      type: 'checkbox',
      id: 'remember-device',
      name: 'rememberDevice',
    });
    const rememberRow = h(
      'div',
      { class: 'field inline' },
      remember,
      h('label', { for: 'remember-device' }, 'Remember this device'),
    );
    /** A recovery code instead of the code (API.md v1.1 §6): the same field, relabelled. */
    let recovery = false;
    const useRecovery = h(
      'button',
      { type: 'button', id: 'use-recovery', class: 'link' },
      'Use a recovery code',
    );
    const resend = h(
      'button',
      { type: 'button', id: 'resend', class: 'secondary' },
      'Send a new code',
    );
    const form = h(
      'form',
      { id: 'code-form', novalidate: true },
      ...intro,
      where,
      code.row,
      rememberRow,
      h('button', { type: 'submit', id: 'verify' }, 'Verify'),
      isApp ? null : resend,
      useRecovery,
      h('button', { type: 'button', id: 'restart', class: 'link' }, 'Start again'),
    );
    useRecovery.addEventListener('click', () => {
      recovery = !recovery;
      const label = form.querySelector('label[for="code"]');
      if (label) label.textContent = recovery ? 'Recovery code' : 'Code';
      useRecovery.textContent = recovery ? 'Use the code instead' : 'Use a recovery code';
      code.input.value = '';
      if (recovery) {
        code.input.removeAttribute('pattern');
        code.input.setAttribute('inputmode', 'text');
        code.input.setAttribute('autocomplete', 'off');
        code.input.setAttribute('maxlength', '32');
        where.textContent = 'Enter one of your recovery codes (xxxx-xxxx-xxxx).';
      } else {
        code.input.setAttribute('pattern', '[0-9]*');
        code.input.setAttribute('inputmode', 'numeric');
        code.input.setAttribute('autocomplete', 'one-time-code');
        code.input.setAttribute('maxlength', '10');
        describe(s);
      }
      code.input.focus();
    });

    const describe = (st: CodeStatus) => {
      if (isApp) {
        where.textContent = intro.length ? '' : 'Enter the code your authenticator app shows.';
        return;
      }
      const to = st.destination ?? 'your address';
      const text: Record<string, string> = {
        SENT: `We sent a code to ${to}.`,
        ALREADY_SENT: `A code was sent to ${to} a moment ago: use that one.`,
        COOLDOWN: `A code was sent to ${to} recently. You can ask for a new one soon.`,
        FAILED: `We could not send a code to ${to}. Ask for a new one.`,
      };
      where.textContent = text[st.delivery ?? 'SENT'] ?? `Enter the code sent to ${to}.`;
      if (st.delivery === 'FAILED')
        say(
          messageFor(
            new ApiError(502, { statusCode: 502, code: 'OTP_DELIVERY_FAILED', message: '' }, null),
          ),
        );
      if (typeof st.resendsRemaining === 'number')
        resend.dataset.remaining = String(st.resendsRemaining);
      startCountdown(st.resendAvailableAt ? Date.parse(st.resendAvailableAt) : Date.now());
    };

    /** The resend button counts down to `at`, then becomes available. */
    const startCountdown = (at: number) => {
      if (countdown !== undefined) window.clearInterval(countdown);
      const tick = () => {
        const left = (at - Date.now()) / 1000;
        if (left > 0) {
          resend.dataset.counting = 'true';
          resend.disabled = true;
          resend.textContent = `Send a new code (${formatSeconds(left)})`;
          resend.setAttribute('aria-disabled', 'true');
        } else {
          delete resend.dataset.counting;
          resend.disabled = false;
          resend.textContent = 'Send a new code';
          resend.removeAttribute('aria-disabled');
          if (countdown !== undefined) window.clearInterval(countdown);
          countdown = undefined;
        }
      };
      tick();
      countdown = window.setInterval(tick, 250);
    };

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = recovery ? code.input.value.trim() : code.input.value.replace(/\s+/g, '');
      if (!value) {
        say(recovery ? 'Please enter a recovery code.' : 'Please enter the code.');
        code.input.focus();
        return;
      }
      void busy(
        form,
        async () => {
          try {
            const answer = await api<AuthenticatedAnswer>('POST', '/v1/auth/2fa/verify', {
              token: mfa,
              body: {
                ...(recovery ? { recoveryCode: value } : { code: value }),
                ...(remember.checked ? { rememberDevice: true } : {}),
              },
            });
            finish(answer);
          } finally {
            code.input.value = '';
            if (code.input.isConnected) code.input.focus();
          }
        },
        'code',
      );
    });
    resend.addEventListener('click', () => {
      void busy(
        form,
        async () => {
          try {
            const st = await api<CodeStatus>('POST', '/v1/auth/2fa/resend', {
              token: mfa,
              body: {},
            });
            describe(st);
            info('A new code is on its way.');
          } catch (err) {
            if (err instanceof ApiError && err.code === 'OTP_RESEND_COOLDOWN' && err.retryAfter)
              startCountdown(Date.now() + err.retryAfter * 1000);
            throw err;
          } finally {
            code.input.focus();
          }
        },
        'code',
      );
    });
    form.querySelector('#restart')?.addEventListener('click', () => credentials());
    replace(body, form);
    describe(s);
    if (recoveryOnly) {
      useRecovery.click();
      useRecovery.remove();
    }
    code.input.focus();
  }

  function finish(answer: AuthenticatedAnswer): void {
    rememberToken(device, answer.deviceToken);
    clear();
    replace(body);
    opts.onSignedIn(answer);
  }

  credentials();
}
