import { field, h, replace } from '../dom.js';
import type { Panel } from './session.js';
import { cardRow, cardTable } from './table.js';
import type { Channel, ChannelList } from './types.js';

const COLUMNS = ['Name', 'Type', 'Enabled', 'Active', 'Test'];

/** The tenant's channels: a test mail per email channel, and a new channel. */
export const channelsPanel: Panel = async (s, panel, ui) => {
  const { items } = await s.call<ChannelList>('GET', `${s.base}/channels`);
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
    return cardRow({ 'data-channel': c.id }, COLUMNS, [
      c.name,
      c.type,
      c.enabled ? 'yes' : 'no',
      c.active ? 'active' : 'no',
      c.type === 'email' ? h('span', { class: 'inline' }, to, test) : '—',
    ]);
  });
  const { table, tbody } = cardTable('channels', COLUMNS, 'The channels of this tenant');
  tbody.append(...rows);
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
      .then(async (c: Channel) => {
        await channelsPanel(s, panel, ui);
        ui.ok(`Channel ${c.name} created.`);
      })
      .catch(ui.error);
  });
  replace(panel, h('h2', {}, 'Channels'), table, form);
};
