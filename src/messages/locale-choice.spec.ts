import { chooseLocale } from './locale-choice';

const BUILT_INS = ['en', 'de', 'fr', 'es', 'pt'];

describe('the locale of a mail', () => {
  it("is the user's when it exists", () => {
    expect(chooseLocale({ user: 'de', tenant: 'fr' }, BUILT_INS)).toBe('de');
  });

  it("falls back to the user's language", () => {
    expect(chooseLocale({ user: 'pt-BR', tenant: 'en' }, BUILT_INS)).toBe('pt');
  });

  it('prefers a custom locale that matches exactly over the language', () => {
    expect(chooseLocale({ user: 'pt-BR', tenant: 'en' }, [...BUILT_INS, 'pt-BR'])).toBe('pt-BR');
  });

  it("then the tenant's default, exactly or by language", () => {
    expect(chooseLocale({ user: null, tenant: 'es' }, BUILT_INS)).toBe('es');
    expect(chooseLocale({ user: 'nl', tenant: 'fr-CA' }, BUILT_INS)).toBe('fr');
  });

  it('else English', () => {
    expect(chooseLocale({ user: 'nl', tenant: 'ja' }, BUILT_INS)).toBe('en');
  });
});
