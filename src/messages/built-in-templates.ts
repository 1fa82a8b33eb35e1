import { ENGLISH_BROWSER_WORDS, BrowserWords } from './browser-summary';
import { checkTemplate } from './template-engine';
import {
  BUILT_IN_LOCALES,
  EmailTemplateBody,
  TEMPLATE_KINDS,
  TemplateKind,
} from './template-kinds';
import { BUILT_IN } from './templates/built-in-templates';
import { emailLayout } from './templates/layout';

export interface CompiledBuiltIn extends EmailTemplateBody {
  html: string;
}

/**
 * The built-in templates with their layout, built once when the module loads (the send path reads
 * them from memory). A built-in that would not pass the checks a tenant's template passes stops
 * the service at start: a test renders them all, but this makes a broken one impossible to ship.
 */
function compile(): Map<string, Map<TemplateKind, CompiledBuiltIn>> {
  const all = new Map<string, Map<TemplateKind, CompiledBuiltIn>>();
  for (const locale of BUILT_IN_LOCALES) {
    const byKind = new Map<TemplateKind, CompiledBuiltIn>();
    for (const kind of TEMPLATE_KINDS) {
      const t = BUILT_IN[locale].templates[kind];
      const compiled = { subject: t.subject, text: t.text, html: emailLayout(locale, t.htmlBody) };
      const problems = checkTemplate(kind, compiled);
      if (problems.length)
        throw new Error(`built-in template ${locale}/${kind}: ${JSON.stringify(problems)}`);
      byKind.set(kind, compiled);
    }
    all.set(locale, byKind);
  }
  return all;
}

const COMPILED = compile();

export function builtInTemplate(kind: TemplateKind, locale: string): CompiledBuiltIn | null {
  return COMPILED.get(locale)?.get(kind) ?? null;
}

export function isBuiltInLocale(locale: string): boolean {
  return COMPILED.has(locale);
}

/** The browser words of a locale's language (English when there is no built-in one). */
export function browserWordsFor(locale: string): BrowserWords {
  const language = locale.split('-')[0].toLowerCase();
  return BUILT_IN[language]?.browser ?? ENGLISH_BROWSER_WORDS;
}
