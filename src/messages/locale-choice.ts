import { languageOf } from '../common/validation/locale';

/** Whose locale a mail follows: the user's (may be none) and the tenant's default. */
export interface LocalePreference {
  user: string | null;
  tenant: string;
}

/**
 * The locale of a mail (API.md v1.1 §11) among those that exist for its kind (built-in or the
 * tenant's own): the user's exactly, else its language (`pt-BR` → `pt`); then the same for the
 * tenant's default; else `en`. Compared ignoring case (stored tags are canonical).
 */
export function chooseLocale(pref: LocalePreference, available: Iterable<string>): string {
  const byLower = new Map<string, string>();
  for (const locale of available) byLower.set(locale.toLowerCase(), locale);
  for (const wanted of [pref.user, pref.tenant]) {
    if (!wanted) continue;
    const exact = byLower.get(wanted.toLowerCase());
    if (exact) return exact;
    const language = byLower.get(languageOf(wanted));
    if (language) return language;
  }
  return 'en';
}
