import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** Letters, digits and hyphens, as BCP 47 tags are; 35 characters is RFC 5646's practical bound. */
const LOCALE_SHAPE = /^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$/;
export const MAX_LOCALE_LENGTH = 35;

/**
 * A well-formed BCP 47 tag (RFC 5646) in its canonical case (`pt-br` → `pt-BR`, `zh-hant-tw` →
 * `zh-Hant-TW`), or null. Intl does the checking: it refuses what is not a language tag.
 */
export function canonicalLocale(tag: string): string | null {
  if (tag.length > MAX_LOCALE_LENGTH || !LOCALE_SHAPE.test(tag)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && canonical.length <= MAX_LOCALE_LENGTH ? canonical : null;
  } catch {
    return null;
  }
}

/** The language of a tag (`pt-BR` → `pt`). */
export const languageOf = (locale: string): string => locale.split('-')[0].toLowerCase();

/** A BCP 47 locale field, arriving in canonical case; 400 when it is not a language tag. */
export const Locale = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (canonicalLocale(value) ?? value) : value,
    ),
    ValidateBy({
      name: 'bcp47Locale',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && canonicalLocale(value) === value,
        defaultMessage: () => '$property must be a BCP 47 language tag such as "de" or "pt-BR"',
      },
    }),
  );
