import { ApiError } from '../api.js';
import { field, h, replace } from '../dom.js';
import { timeEl } from '../time.js';
import type { Panel, Session, Ui } from './session.js';
import { cardRow, cardTable } from './table.js';
import type {
  EmailTemplate,
  EmailTemplateList,
  RenderedEmail,
  TemplateKind,
  Tenant,
} from './types.js';

const KINDS: TemplateKind[] = [
  'login_code',
  'registration_code',
  'recovery_code_used',
  'channel_test',
];
const COLUMNS = ['Kind', 'Locales (own ones marked)'];
type Item = EmailTemplateList['items'][number];
const PARTS = ['subject', 'text', 'html'] as const;
type Part = (typeof PARTS)[number];

const templatePath = (s: Session, kind: string, locale: string) =>
  `${s.base}/email-templates/${encodeURIComponent(kind)}/${encodeURIComponent(locale)}`;

/**
 * The template to start from: the one in force for this locale, else (a locale the tenant adds)
 * its language's built-in one, else English, marked as not yet saved.
 */
async function startingPoint(s: Session, kind: string, locale: string): Promise<EmailTemplate> {
  const candidates = [locale, locale.split('-')[0], 'en'];
  for (const [i, candidate] of candidates.entries()) {
    try {
      const found = await s.call<EmailTemplate>('GET', templatePath(s, kind, candidate));
      return i === 0 ? found : { ...found, locale, custom: false, updatedAt: null };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
  }
  throw new Error(`no template for ${kind}`);
}

/** A labelled textarea with a slot for the service's 400 `details` about it. */
function area(part: Part, label: string, value: string, rows: number, hint?: string) {
  const id = `template-${part}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  const input =
    part === 'subject'
      ? h('input', { id, value, 'aria-describedby': `${id}-error` })
      : h('textarea', { id, rows, spellcheck: 'false', 'aria-describedby': `${id}-error` });
  if (part !== 'subject') input.value = value;
  const row = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('small', {}, hint) : null,
    input,
    error,
  );
  return { row, input, error };
}

/** The rendered mail: subject and text as text, the HTML in a sandboxed frame (never innerHTML). */
function previewOf(mail: RenderedEmail): HTMLElement {
  return h(
    'section',
    { id: 'template-preview', 'aria-labelledby': 'template-preview-title' },
    h('h4', { id: 'template-preview-title' }, 'Preview with sample values'),
    h('p', {}, h('strong', {}, 'Subject: '), h('span', { id: 'preview-subject' }, mail.subject)),
    h('pre', { id: 'preview-text', class: 'mail-text' }, mail.text),
    h('iframe', {
      id: 'preview-html',
      class: 'mail-html',
      title: 'The HTML part of the mail',
      sandbox: '',
      referrerpolicy: 'no-referrer',
      srcdoc: mail.html,
    }),
    h(
      'small',
      { class: 'muted' },
      'The HTML part is shown without its inline styles: the console’s Content-Security-Policy blocks them. Mail clients apply them.',
    ),
  );
}

/** One template in an editor: preview (saved or not), save, and back to the built-in one. */
async function openEditor(
  s: Session,
  kind: string,
  locale: string,
  box: HTMLElement,
  ui: Ui,
  reload: () => Promise<void>,
): Promise<void> {
  const t = await startingPoint(s, kind, locale);
  const path = templatePath(s, kind, locale);
  const f = {
    subject: area('subject', 'Subject', t.subject, 1),
    text: area('text', 'Text', t.text, 12),
    html: area(
      'html',
      'HTML (optional)',
      t.html ?? '',
      10,
      'Empty: the text in the standard layout. Values are HTML-escaped.',
    ),
  };
  const previewSlot = h('div', { id: 'template-preview-slot' });
  const body = () => ({
    subject: f.subject.input.value,
    text: f.text.input.value,
    html: f.html.input.value.trim() ? f.html.input.value : null,
  });
  /** 400 `details` go next to their field; anything else to the console's alert. */
  const failed = (err: unknown) => {
    const details = err instanceof ApiError ? (err.body.details ?? []) : [];
    const placed = details.filter((d) => (PARTS as readonly string[]).includes(d.field));
    for (const d of placed) f[d.field as Part].error.textContent = d.message;
    ui.error(err);
  };
  const clearErrors = () => PARTS.forEach((p) => (f[p].error.textContent = ''));
  const button = (id: string, label: string, run: () => Promise<void>, cls?: string) =>
    h(
      'button',
      {
        type: 'button',
        id,
        class: cls,
        onclick: () => {
          clearErrors();
          void run().catch(failed);
        },
      },
      label,
    );
  const preview = button(
    'template-preview-button',
    'Preview',
    async () => {
      const mail = await s.call<RenderedEmail>('POST', `${path}/preview`, { body: body() });
      previewSlot.replaceChildren(previewOf(mail));
      ui.ok(`Preview of ${kind} (${locale}) with sample values.`);
    },
    'secondary',
  );
  const save = button('template-save', 'Save', async () => {
    // The service answers the canonical tag (`DE-ch` is saved as `de-CH`).
    const saved = await s.call<EmailTemplate>('PUT', path, { body: body() });
    await reload();
    await openEditor(s, kind, saved.locale, box, ui, reload);
    ui.ok(`Saved: ${kind} (${saved.locale}) is this tenant's own template now.`);
  });
  const reset = button(
    'template-reset',
    'Reset to built-in',
    async () => {
      if (!window.confirm(`Delete this tenant's ${kind} (${locale}) and use the built-in one?`))
        return;
      await s.call('DELETE', path);
      await reload();
      replace(box);
      ui.ok(`${kind} (${locale}) is back to the built-in template.`);
    },
    'secondary',
  );
  replace(
    box,
    h('h3', { id: 'template-editor-title' }, `${kind} · ${locale}`),
    h(
      'p',
      { id: 'template-source' },
      ...(t.custom
        ? ["This tenant's own template, saved ", timeEl(t.updatedAt)]
        : ['The built-in template: saving makes it this tenant’s own.']),
    ),
    h(
      'p',
      { class: 'muted' },
      'Variables: {{code}}, {{minutes}}, {{tenantName}}, {{username}}, {{displayName}}, {{ip}}, {{browser}}, {{remaining}}. No logic or helpers.',
    ),
    h(
      'form',
      { id: 'template-form', novalidate: true, onsubmit: (e: Event) => e.preventDefault() },
      f.subject.row,
      f.text.row,
      f.html.row,
      h('div', { class: 'actions' }, preview, save, t.custom ? reset : null),
    ),
    previewSlot,
  );
  box.scrollIntoView({ block: 'start' });
  f.subject.input.focus();
}

/** Email templates (API.md v1.1 §11): kinds × locales, an editor with preview, own locales. */
export const templatesPanel: Panel = async (s, panel, ui) => {
  const [list, tenant] = await Promise.all([
    s.call<EmailTemplateList>('GET', `${s.base}/email-templates`),
    s.call<Tenant>('GET', s.base),
  ]);
  const editor = h('section', { id: 'template-editor', 'aria-live': 'polite' });
  const reload = async () => {
    const fresh = await s.call<EmailTemplateList>('GET', `${s.base}/email-templates`);
    tbody.replaceChildren(...rows(fresh.items));
  };
  const open = (kind: string, locale: string) =>
    void openEditor(s, kind, locale, editor, ui, reload).catch(ui.error);
  /** One button per locale: "de", or "de · own" with its time for the tenant's own template. */
  const localeButton = (item: Item) =>
    h(
      'button',
      {
        type: 'button',
        class: item.custom ? 'secondary custom' : 'secondary',
        'data-template': `${item.kind}/${item.locale}`,
        'data-custom': String(item.custom),
        onclick: () => open(item.kind, item.locale),
      },
      h('span', { class: 'visually-hidden' }, `Edit ${item.kind} `),
      item.locale,
      item.custom ? ' · own' : '',
    );
  const rows = (items: Item[]) =>
    KINDS.map((kind) =>
      cardRow({ 'data-kind': kind }, COLUMNS, [
        kind,
        h('span', { class: 'locales' }, ...items.filter((x) => x.kind === kind).map(localeButton)),
      ]),
    );
  const { table, tbody } = cardTable('templates', COLUMNS, 'Email templates by kind and locale');
  tbody.append(...rows(list.items));

  const kind = h(
    'select',
    { id: 'new-template-kind' },
    ...KINDS.map((k) => h('option', { value: k }, k)),
  );
  const locale = field(
    'Locale',
    { id: 'new-template-locale', required: true, placeholder: 'de-CH', autocomplete: 'off' },
    'A BCP 47 language tag, such as de-CH or pt-BR',
  );
  const add = h(
    'form',
    { id: 'new-template-form', novalidate: true },
    h('h3', {}, 'Add a locale'),
    h('div', { class: 'field' }, h('label', { for: 'new-template-kind' }, 'Kind'), kind),
    locale.row,
    h('button', { type: 'submit', id: 'new-template-open' }, 'Open in the editor'),
  );
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    // The service checks the tag (400 with `details` when it is no BCP 47 tag).
    const tag = locale.input.value.trim();
    open(kind.value, tag);
  });
  replace(
    panel,
    h('h2', {}, 'Email templates'),
    h(
      'p',
      { id: 'default-locale' },
      'Default locale of this tenant: ',
      h('strong', {}, tenant.defaultLocale),
      h(
        'span',
        { class: 'muted' },
        ' (mails to users without a locale of their own; the platform operator sets it)',
      ),
    ),
    table,
    editor,
    add,
  );
};
