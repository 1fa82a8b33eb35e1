/** The mails the service sends (API.md v1.1 §11), each a template per locale. */
export const TEMPLATE_KINDS = [
  'login_code',
  'registration_code',
  'recovery_code_used',
  'channel_test',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export function isTemplateKind(value: string): value is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(value);
}

/** The only names a template may use: plain values, no logic. */
export const TEMPLATE_VARIABLES = [
  'code',
  'minutes',
  'tenantName',
  'username',
  'displayName',
  'ip',
  'browser',
  'remaining',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Partial<Record<TemplateVariable, string | number>>;

/**
 * Rule 9: a code mail says what the code is, how long it lives, and where the request came from,
 * so someone who did not ask knows their password is known.
 */
export const CODE_KIND_REQUIRED: readonly TemplateVariable[] = ['code', 'minutes', 'ip', 'browser'];

export function isCodeKind(kind: TemplateKind): boolean {
  return kind === 'login_code' || kind === 'registration_code';
}

/** The built-in locales (every kind exists in each). */
export const BUILT_IN_LOCALES = ['en', 'de', 'fr', 'es', 'pt'] as const;

/** One template: subject and text always, html optional (then the text is the only part). */
export interface EmailTemplateBody {
  subject: string;
  text: string;
  html?: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}
