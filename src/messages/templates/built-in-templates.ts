import type { BuiltInLocale } from './built-in-locale';
import { de } from './de';
import { en } from './en';
import { es } from './es';
import { fr } from './fr';
import { pt } from './pt';

/** The built-in mails by locale (API.md v1.1 §11: at least en, de, fr, es, pt). */
export const BUILT_IN: Record<string, BuiltInLocale> = { en, de, fr, es, pt };
