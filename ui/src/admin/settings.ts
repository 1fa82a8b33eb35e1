import { field, h, replace } from '../dom.js';
import type { Panel } from './session.js';
import type { ChannelList, Settings } from './types.js';

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

/**
 * Two-factor settings: on or off, the active channel, the code and lockout rules, recovery codes
 * and remembered devices (API.md v1.1 §6, §7).
 */
export const settingsPanel: Panel = async (s, panel, ui) => {
  const [settings, channels] = await Promise.all([
    s.call<Settings>('GET', `${s.base}/settings/2fa`),
    s.call<ChannelList>('GET', `${s.base}/channels`),
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
  const recovery = h('input', {
    type: 'checkbox',
    id: 'recovery-enabled',
    checked: settings.recoveryCodes.enabled,
  });
  const remember = h('input', {
    type: 'checkbox',
    id: 'remember-enabled',
    checked: settings.rememberDevice.enabled,
  });
  const rememberDays = numberField(
    'Days a device stays remembered',
    'remember-days',
    settings.rememberDevice.days,
    1,
    90,
  );
  const checkbox = (input: HTMLInputElement, label: string) =>
    h('div', { class: 'field inline' }, input, h('label', { for: input.id }, label));
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
    h(
      'fieldset',
      {},
      h('legend', {}, 'Recovery codes'),
      checkbox(recovery, 'Give users ten single-use recovery codes at their first registration'),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Remembered devices'),
      checkbox(remember, 'Let users skip the code on a browser they chose to remember'),
      rememberDays.row,
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
          recoveryCodes: { enabled: recovery.checked },
          rememberDevice: { enabled: remember.checked, days: n(rememberDays) },
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
};
