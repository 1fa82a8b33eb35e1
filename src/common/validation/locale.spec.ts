import { canonicalLocale, languageOf } from './locale';

describe('BCP 47 locales', () => {
  it('canonicalises case', () => {
    expect(canonicalLocale('pt-br')).toBe('pt-BR');
    expect(canonicalLocale('DE')).toBe('de');
    expect(canonicalLocale('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(canonicalLocale('en')).toBe('en');
  });

  it('refuses what is not a language tag', () => {
    for (const bad of ['', 'x', 'en_US', 'en-', '-en', 'de DE', '../en', 'e'.repeat(40), 'en-US-!'])
      expect(canonicalLocale(bad)).toBeNull();
  });

  it('names the language of a tag', () => {
    expect(languageOf('pt-BR')).toBe('pt');
    expect(languageOf('de')).toBe('de');
  });
});
