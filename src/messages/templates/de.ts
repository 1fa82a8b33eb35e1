import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

const WARNING =
  'Wenn Sie das nicht waren, kennt jemand Ihr Passwort: Ändern Sie es und informieren Sie Ihre Administration.';
const NEVER_SHARE = 'Geben Sie diesen Code nie weiter; niemand vom Support wird danach fragen.';
const FROM = 'Angefordert von der IP-Adresse {{ip}} mit {{browser}}.';

export const de: BuiltInLocale = {
  browser: { unknown: 'einem unbekannten Browser', on: 'unter' },
  templates: {
    login_code: {
      subject: '{{tenantName}}: Ihr Anmeldecode',
      text: [
        'Ihr Code für {{tenantName}} lautet {{code}}',
        '',
        'Damit schließen Sie Ihre Anmeldung ab. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Ihr Anmeldecode für {{tenantName}} lautet'),
        CODE_BLOCK,
        p(
          'Damit schließen Sie Ihre Anmeldung ab. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    registration_code: {
      subject: '{{tenantName}}: Bestätigen Sie Ihre Adresse für die Zwei-Faktor-Anmeldung',
      text: [
        'Ihr Code für {{tenantName}} lautet {{code}}',
        '',
        'Damit bestätigen Sie diese Adresse für die Zwei-Faktor-Anmeldung. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Ihr Bestätigungscode für {{tenantName}} lautet'),
        CODE_BLOCK,
        p(
          'Damit bestätigen Sie diese Adresse für die Zwei-Faktor-Anmeldung. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    recovery_code_used: {
      subject: '{{tenantName}}: Ein Wiederherstellungscode wurde verwendet',
      text: [
        'Mit einem Wiederherstellungscode hat sich jemand als {{username}} bei {{tenantName}} angemeldet.',
        '',
        'Von: IP-Adresse {{ip}}, {{browser}}.',
        'Sie haben noch {{remaining}} Wiederherstellungscodes. Wenn nur noch wenige übrig sind, erstellen Sie nach der Anmeldung einen neuen Satz.',
        '',
        'Wenn Sie das nicht waren, kennt jemand Ihr Passwort und einen Ihrer Wiederherstellungscodes:',
        'Ändern Sie Ihr Passwort und bitten Sie Ihre Administration, Ihre Zwei-Faktor-Anmeldung zurückzusetzen.',
      ].join('\n'),
      htmlBody: [
        p(
          'Mit einem Wiederherstellungscode hat sich jemand als {{username}} bei {{tenantName}} angemeldet.',
        ),
        p('Von: IP-Adresse {{ip}}, {{browser}}.'),
        p(
          'Sie haben noch <strong>{{remaining}}</strong> Wiederherstellungscodes. Wenn nur noch wenige übrig sind, erstellen Sie nach der Anmeldung einen neuen Satz.',
        ),
        p(
          'Wenn Sie das nicht waren, kennt jemand Ihr Passwort und einen Ihrer Wiederherstellungscodes: Ändern Sie Ihr Passwort und bitten Sie Ihre Administration, Ihre Zwei-Faktor-Anmeldung zurückzusetzen.',
          true,
        ),
      ].join('\n'),
    },
    channel_test: {
      subject: '{{tenantName}}: Test des E-Mail-Kanals',
      text: [
        'Dies ist ein Test des E-Mail-Kanals von {{tenantName}}.',
        '',
        'Eine Administratorin oder ein Administrator hat ihn gesendet, um zu prüfen, ob Anmeldecodes diese Adresse erreichen.',
        'Sie müssen nichts tun.',
      ].join('\n'),
      htmlBody: [
        p('Dies ist ein Test des E-Mail-Kanals von {{tenantName}}.'),
        p(
          'Eine Administratorin oder ein Administrator hat ihn gesendet, um zu prüfen, ob Anmeldecodes diese Adresse erreichen. Sie müssen nichts tun.',
        ),
      ].join('\n'),
    },
  },
};
