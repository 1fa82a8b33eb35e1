import { field, h, replace } from '../dom.js';
import { timeEl } from '../time.js';
import type { Panel, Session, Ui } from './session.js';
import { cardRow, cardTable } from './table.js';
import type { Device, DeviceList, User, UserPage } from './types.js';

const COLUMNS = ['Username', 'Roles', 'Second factor', 'Recovery codes', 'Failures', 'Actions'];
const DEVICE_COLUMNS = ['Browser', 'Remembered', 'Last used', 'Last IP', 'First seen', 'Actions'];

/** A user's devices (API.md v1.1 §7), most recently used first, each with a Revoke. */
async function devices(s: Session, u: User, box: HTMLElement, ui: Ui): Promise<void> {
  const path = `${s.base}/users/${u.id}/devices`;
  const { items } = await s.call<DeviceList>('GET', path);
  const { table, tbody } = cardTable(
    'user-devices',
    DEVICE_COLUMNS,
    `The devices of ${u.username}, most recently used first`,
  );
  const revoke = (d: Device) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-revoke-device': d.id,
        'aria-label': `Revoke ${d.name}`,
        onclick: () => {
          if (
            !window.confirm(`Revoke ${d.name} of ${u.username}? Its next sign-in asks for a code.`)
          )
            return;
          void s
            .call('DELETE', `${path}/${d.id}`)
            .then(async () => {
              await devices(s, u, box, ui);
              ui.ok(`${d.name} of ${u.username} is revoked.`);
            })
            .catch(ui.error);
        },
      },
      'Revoke',
    );
  tbody.append(
    ...items.map((d) =>
      cardRow({ 'data-device': d.id }, DEVICE_COLUMNS, [
        d.name,
        d.remembered ? ['yes, until ', timeEl(d.expiresAt)] : 'no',
        timeEl(d.lastUsedAt),
        d.lastIp ?? '—',
        timeEl(d.createdAt),
        revoke(d),
      ]),
    ),
  );
  replace(
    box,
    h('h3', { id: 'devices-title' }, `Devices of ${u.username}`),
    items.length ? table : h('p', { id: 'no-devices' }, 'No devices.'),
  );
  (box.querySelector('h3') as HTMLElement).scrollIntoView({ block: 'nearest' });
}

/** The second factor: the active one, the kept others, and the shared-address warning. */
function secondFactor(u: User): Array<Node | string | null> {
  const tf = u.twoFactor;
  return [
    tf.registered
      ? `${tf.channelType}${tf.destination ? `: ${tf.destination}` : ''}`
      : 'not registered',
    u.sharedEmail
      ? h(
          'strong',
          { class: 'warning', title: 'Another user of this tenant has the same 2FA email address' },
          ' ⚠ shared email',
        )
      : null,
    tf.registered && tf.registeredAt
      ? h('small', { class: 'since' }, ' since ', timeEl(tf.registeredAt))
      : null,
    tf.others.length
      ? h(
          'small',
          { class: 'others' },
          'also: ',
          ...tf.others.flatMap((o, i) => [
            i ? ', ' : '',
            `${o.channelType} (`,
            timeEl(o.registeredAt),
            ')',
          ]),
        )
      : null,
  ];
}

/** The lock: none, until a time, or until an admin unlocks (the failure ceiling). */
function lockState(u: User): { locked: boolean; text: Array<Node | string> } {
  const tf = u.twoFactor;
  if (tf.lockedIndefinitely)
    return { locked: true, text: ['locked until an admin unlocks or resets'] };
  if (tf.lockedUntil && Date.parse(tf.lockedUntil) > Date.now())
    return { locked: true, text: ['locked, ends ', timeEl(tf.lockedUntil)] };
  return { locked: false, text: [`${tf.consecutiveFailures} wrong`] };
}

function actions(
  s: Session,
  u: User,
  locked: boolean,
  ui: Ui,
  reload: () => Promise<void>,
  devicesBox: HTMLElement,
) {
  const tf = u.twoFactor;
  const showDevices = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-devices': u.id,
      'aria-label': `Devices of ${u.username}`,
      onclick: () => void devices(s, u, devicesBox, ui).catch(ui.error),
    },
    'Devices',
  );
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
            await reload();
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
            await reload();
            ui.ok(`${u.username} is unlocked.`);
          })
          .catch(ui.error),
    },
    'Unlock',
  );
  return [
    tf.registered || locked ? reset : null,
    locked || tf.consecutiveFailures ? unlock : null,
    showDevices,
  ];
}

/** The tenant's users and their 2FA: filters, reset, unlock and their devices. */
export const usersPanel: Panel = async (s, panel, ui) => {
  const filter = field('Username starts with', { id: 'user-filter', type: 'search' });
  const shared = h('input', { type: 'checkbox', id: 'user-shared' });
  const { table, tbody } = cardTable('users', COLUMNS, 'The users of this tenant');
  const more = h(
    'button',
    { type: 'button', id: 'users-more', class: 'secondary', hidden: true },
    'More',
  );
  const devicesBox = h('section', { id: 'devices', 'aria-live': 'polite' });
  let cursor: string | null = null;

  const load = async (reset: boolean) => {
    const page = await s.call<UserPage>('GET', `${s.base}/users`, {
      query: {
        limit: '50',
        username: filter.input.value || undefined,
        sharedEmail: shared.checked ? 'true' : undefined,
        cursor: reset ? undefined : (cursor ?? undefined),
      },
    });
    // A new list (a search, or after a reset or unlock): the devices shown may be stale.
    if (reset) {
      tbody.replaceChildren();
      devicesBox.replaceChildren();
    }
    for (const u of page.items) tbody.append(userRow(u));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  const userRow = (u: User): HTMLElement => {
    const lock = lockState(u);
    return cardRow(
      { 'data-user': u.username },
      COLUMNS,
      [
        [u.username, u.disabled ? ' (disabled)' : ''],
        u.roles.join(', '),
        secondFactor(u),
        u.twoFactor.registered ? String(u.twoFactor.recoveryCodesRemaining) : '—',
        lock.text,
        actions(s, u, lock.locked, ui, () => load(true), devicesBox),
      ],
      { 0: 'who', 2: 'two-factor', 3: 'recovery', 4: 'lock' },
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
  replace(panel, h('h2', {}, 'Users'), form, table, more, devicesBox);
  await load(true);
};
