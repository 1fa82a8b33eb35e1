import Mustache from 'mustache';
import type { FieldError } from '../common/errors/app.exception';
import {
  CODE_KIND_REQUIRED,
  EmailTemplateBody,
  isCodeKind,
  TEMPLATE_VARIABLES,
  TemplateKind,
  TemplateValues,
} from './template-kinds';
import { escapeHtml } from '../common/text/escape-html';

/** Per field, in UTF-8 bytes (API.md v1.1 §11). */
export const MAX_TEMPLATE_BYTES = 32 * 1024;

const KNOWN = new Set<string>(TEMPLATE_VARIABLES);

// Mustache keeps every parsed template forever by default: tenants' templates (and every refused
// PUT) would grow the process without bound. Parsing a template of ≤ 32 kB is cheap.
Mustache.templateCache = undefined;

/** Why a Mustache token is refused: everything but a plain, HTML-escaped `{{name}}`. */
const REFUSED_TOKENS: Record<string, string> = {
  '#': 'sections ({{#…}}) are not allowed',
  '^': 'inverted sections ({{^…}}) are not allowed',
  '>': 'partials ({{>…}}) are not allowed',
  '&': 'unescaped values ({{{…}}} or {{&…}}) are not allowed',
  '!': 'comments ({{!…}}) are not allowed',
  '=': 'delimiter changes ({{=…=}}) are not allowed',
};

type Token = [string, string, ...unknown[]];

/** The variables a template uses, or the reason it is refused. */
function variablesOf(
  field: string,
  source: string,
): { names: Set<string> } | { error: FieldError } {
  if (Buffer.byteLength(source, 'utf8') > MAX_TEMPLATE_BYTES)
    return { error: { field, message: `${field} is longer than ${MAX_TEMPLATE_BYTES} bytes` } };
  let tokens: Token[];
  try {
    tokens = Mustache.parse(source) as Token[];
  } catch (e) {
    return {
      error: { field, message: `${field} is not a valid template: ${(e as Error).message}` },
    };
  }
  const names = new Set<string>();
  for (const [type, value] of tokens) {
    if (type === 'text') continue;
    if (type !== 'name')
      return { error: { field, message: `${field}: ${REFUSED_TOKENS[type] ?? 'not allowed'}` } };
    if (!KNOWN.has(value))
      return {
        error: {
          field,
          message: `${field}: unknown variable {{${value.slice(0, 40)}}} (allowed: ${TEMPLATE_VARIABLES.join(', ')})`,
        },
      };
    names.add(value);
  }
  return { names };
}

/**
 * Checks a template before it is saved: plain known variables only, each part at most 32 kB, a
 * one-line subject, and a code kind names the code, its lifetime, the IP and the browser (rule 9)
 * in the subject + text, and in the html when there is one. Empty list: it can be saved, and
 * rendering it can no longer fail.
 */
export function checkTemplate(kind: TemplateKind, t: EmailTemplateBody): FieldError[] {
  const problems: FieldError[] = [];
  const parts: Array<[string, string | null | undefined]> = [
    ['subject', t.subject],
    ['text', t.text],
    ['html', t.html],
  ];
  const used: Record<string, Set<string>> = {};
  for (const [field, source] of parts) {
    if (source === undefined || source === null) continue;
    const result = variablesOf(field, source);
    if ('error' in result) problems.push(result.error);
    else used[field] = result.names;
  }
  if (/[\r\n]/.test(t.subject))
    problems.push({ field: 'subject', message: 'subject must be one line' });
  if (problems.length || !isCodeKind(kind)) return problems;
  const plain = new Set([...used.subject, ...used.text]);
  const missing = CODE_KIND_REQUIRED.filter((v) => !plain.has(v));
  if (missing.length)
    problems.push({
      field: 'text',
      message: `a ${kind} template must contain ${missing.map((v) => `{{${v}}}`).join(', ')} in subject or text`,
    });
  if (used.html) {
    const missingHtml = CODE_KIND_REQUIRED.filter((v) => !used.html.has(v));
    if (missingHtml.length)
      problems.push({
        field: 'html',
        message: `a ${kind} html must contain ${missingHtml.map((v) => `{{${v}}}`).join(', ')}`,
      });
  }
  return problems;
}

function view(values: TemplateValues, clean: (s: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TEMPLATE_VARIABLES) out[name] = clean(String(values[name] ?? ''));
  return out;
}

/** No line break of a value may reach a header (the subject). */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, ' ');
const asIs = (s: string) => s;

/**
 * Renders a checked template: values HTML-escaped in `html`, as they are in subject and text
 * (plain text parts; a subject never gets a line break). `htmlLayout` wraps an html body; when the
 * template has no html, the html part is the escaped text in that layout.
 */
export function renderTemplate(
  t: EmailTemplateBody,
  values: TemplateValues,
  htmlLayout: (body: string) => string,
): { subject: string; text: string; html: string } {
  const plain = { escape: asIs };
  const subject = oneLine(Mustache.render(t.subject, view(values, oneLine), {}, plain));
  const text = Mustache.render(t.text, view(values, asIs), {}, plain);
  const html = t.html
    ? Mustache.render(t.html, view(values, asIs), {}, { escape: escapeHtml })
    : htmlLayout(
        escapeHtml(text)
          .split(/\n{2,}/)
          .map((p) => `<p style="margin:0 0 16px">${p.replace(/\n/g, '<br>')}</p>`)
          .join('\n'),
      );
  return { subject, text, html };
}
