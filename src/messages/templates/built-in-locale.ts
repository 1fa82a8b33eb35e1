import type { BrowserWords } from '../browser-summary';
import type { TemplateKind } from '../template-kinds';

/** A built-in template before the layout: subject, text, and the html that goes into the frame. */
export interface BuiltInTemplate {
  subject: string;
  text: string;
  htmlBody: string;
}

/** One language's built-in mails, and its words for the browser summary. */
export interface BuiltInLocale {
  browser: BrowserWords;
  templates: Record<TemplateKind, BuiltInTemplate>;
}
