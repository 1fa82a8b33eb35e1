import { field, h, replace } from '../dom.js';
import { timeEl } from '../time.js';
import type { Panel, Session, Ui } from './session.js';
import { cardRow, cardTable } from './table.js';
import type { Delivery, DeliveryPage, Webhook, WebhookList, WebhookWithSecret } from './types.js';

const COLUMNS = ['URL', 'Events', 'State', 'Created', 'Actions'];
const DELIVERY_COLUMNS = ['Created', 'Event', 'Status', 'Attempts', 'Last answer', 'Actions'];

/** A signing secret, shown once (create, rotate) with a copy button. */
function secretBox(hook: WebhookWithSecret, verb: string): HTMLElement {
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      id: 'webhook-secret-copy',
      onclick: () =>
        void navigator.clipboard.writeText(hook.secret).then(
          () => (copy.textContent = 'Copied'),
          () => (copy.textContent = 'Copy failed: select the text'),
        ),
    },
    'Copy',
  );
  return h(
    'div',
    { class: 'secret', id: 'webhook-secret-box', role: 'group', 'aria-label': 'Signing secret' },
    h('p', {}, `${verb}: the signing secret of ${hook.url}. It is shown only now: store it.`),
    h('code', { id: 'webhook-secret' }, hook.secret),
    ' ',
    copy,
  );
}

/** The webhook's deliveries, newest first, with a retry for those not delivered. */
async function deliveries(s: Session, hook: Webhook, box: HTMLElement, ui: Ui): Promise<void> {
  const path = `${s.base}/webhooks/${hook.id}/deliveries`;
  const page = await s.call<DeliveryPage>('GET', path, { query: { limit: '50' } });
  const { table, tbody } = cardTable(
    'webhook-deliveries',
    DELIVERY_COLUMNS,
    `Deliveries to ${hook.url}, newest first`,
  );
  const row = (d: Delivery) =>
    cardRow({ 'data-delivery': d.id, 'data-status': d.status }, DELIVERY_COLUMNS, [
      timeEl(d.createdAt),
      d.eventType,
      [
        h('span', { class: `badge ${d.status}` }, d.status),
        d.status === 'delivered' && d.deliveredAt ? [' ', timeEl(d.deliveredAt)] : '',
        d.status === 'pending' && d.nextAttemptAt ? ' next ' : '',
        d.status === 'pending' && d.nextAttemptAt ? timeEl(d.nextAttemptAt) : '',
      ].flat(),
      String(d.attempts),
      [
        d.lastStatusCode === null ? '—' : `HTTP ${d.lastStatusCode}`,
        d.lastError ? ` ${d.lastError}` : '',
      ],
      d.status === 'delivered'
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-retry': d.id,
              onclick: () =>
                void s
                  .call('POST', `${path}/${d.id}/retry`)
                  .then(async () => {
                    await deliveries(s, hook, box, ui);
                    ui.ok('Delivery queued again.');
                  })
                  .catch(ui.error),
            },
            'Retry',
          ),
    ]);
  tbody.append(...page.items.map(row));
  replace(
    box,
    h('h3', { id: 'deliveries-title' }, `Deliveries to ${hook.url}`),
    page.items.length ? table : h('p', { id: 'no-deliveries' }, 'No deliveries yet.'),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'deliveries-refresh',
        onclick: () => void deliveries(s, hook, box, ui).catch(ui.error),
      },
      'Refresh',
    ),
  );
}

/** Webhooks (API.md v1.1 §12): list, create (secret once), enable/disable, rotate, delete, deliveries. */
export const webhooksPanel: Panel = async (s, panel, ui) => {
  const { items } = await s.call<WebhookList>('GET', `${s.base}/webhooks`);
  const secretSlot = h('div', { id: 'webhook-secret-slot' });
  const deliveriesBox = h('section', { id: 'deliveries', 'aria-live': 'polite' });
  const reload = async (secret?: HTMLElement) => {
    await webhooksPanel(s, panel, ui);
    if (secret) document.getElementById('webhook-secret-slot')?.replaceChildren(secret);
  };
  const act = (label: string, attr: string, hook: Webhook, run: () => Promise<unknown>) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        [attr]: hook.id,
        onclick: () => void run().catch(ui.error),
      },
      label,
    );
  const rows = items.map((w) =>
    cardRow({ 'data-webhook': w.id }, COLUMNS, [
      h('span', { class: 'url' }, w.url),
      w.events.join(', '),
      w.enabled ? 'enabled' : `disabled${w.disabledReason ? ` (${w.disabledReason})` : ''}`,
      timeEl(w.createdAt),
      [
        act('Deliveries', 'data-deliveries', w, () => deliveries(s, w, deliveriesBox, ui)),
        act(w.enabled ? 'Disable' : 'Enable', 'data-toggle', w, async () => {
          await s.call('PATCH', `${s.base}/webhooks/${w.id}`, { body: { enabled: !w.enabled } });
          await reload();
          ui.ok(`${w.url} is ${w.enabled ? 'disabled' : 'enabled'}.`);
        }),
        act('Rotate secret', 'data-rotate', w, async () => {
          if (!window.confirm(`Replace the signing secret of ${w.url}? The old one stops at once.`))
            return;
          const hook = await s.call<WebhookWithSecret>(
            'POST',
            `${s.base}/webhooks/${w.id}/rotate-secret`,
          );
          await reload(secretBox(hook, 'New secret'));
        }),
        act('Delete', 'data-delete', w, async () => {
          if (!window.confirm(`Delete the webhook ${w.url} and its delivery log?`)) return;
          await s.call('DELETE', `${s.base}/webhooks/${w.id}`);
          await reload();
          ui.ok(`${w.url} deleted.`);
        }),
      ],
    ]),
  );
  const { table, tbody } = cardTable('webhooks', COLUMNS, 'The webhooks of this tenant');
  tbody.append(...rows);

  const url = field('URL', {
    id: 'webhook-url',
    type: 'url',
    required: true,
    placeholder: 'https://…',
  });
  const events = field(
    'Events',
    { id: 'webhook-events', value: '*' },
    '* for every type, or event types separated by commas (e.g. TWO_FACTOR_LOCKED, LOGIN_FAILED)',
  );
  const form = h(
    'form',
    { id: 'webhook-form', novalidate: true },
    h('h3', {}, 'New webhook'),
    url.row,
    events.row,
    h('button', { type: 'submit', id: 'webhook-create' }, 'Create webhook'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const list = events.input.value
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    void s
      .call<WebhookWithSecret>('POST', `${s.base}/webhooks`, {
        body: { url: url.input.value.trim(), events: list, enabled: true },
      })
      .then(async (hook) => {
        await reload(secretBox(hook, 'Created'));
        ui.ok(`Webhook ${hook.url} created.`);
      })
      .catch(ui.error);
  });
  replace(
    panel,
    h('h2', {}, 'Webhooks'),
    secretSlot,
    items.length ? table : h('p', { id: 'no-webhooks' }, 'No webhooks yet.'),
    deliveriesBox,
    form,
  );
};
