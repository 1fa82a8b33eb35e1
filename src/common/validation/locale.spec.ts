import { canonicalLocale, languageOf } from './locale';

describe('BCP 47 locales', () => {
  it.each([
    ['pt-br', 'pt-BR'],
    ['DE', 'de'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['en', 'en'],
  ])('canonicalises the case of %s to %s', (given, canonical) => {
    expect(canonicalLocale(given)).toBe(canonical);
  });

  it.each(['', 'x', 'en_US', 'en-', '-en', 'de DE', '../en', 'e'.repeat(40), 'en-US-!'])(
    'refuses %j, which is not a language tag',
    (bad) => expect(canonicalLocale(bad)).toBeNull(),
  );

  it('names the language of a tag', () => {
    expect(languageOf('pt-BR')).toBe('pt');
    expect(languageOf('de')).toBe('de');
  });
});
