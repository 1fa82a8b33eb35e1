import { localeTemplates } from './locale-templates';

export const de = localeTemplates({
  browser: { unknown: 'einem unbekannten Browser', on: 'unter' },
  codeLine: 'Ihr Code für {{tenantName}} lautet {{code}}',
  requestedFrom: 'Angefordert von der IP-Adresse {{ip}} mit {{browser}}.',
  notYou:
    'Wenn Sie das nicht waren, kennt jemand Ihr Passwort: Ändern Sie es und informieren Sie Ihre Administration.',
  neverShare: 'Geben Sie diesen Code nie weiter; niemand vom Support wird danach fragen.',
  loginCode: {
    subject: '{{tenantName}}: Ihr Anmeldecode',
    htmlLeadIn: 'Ihr Anmeldecode für {{tenantName}} lautet',
    purpose:
      'Damit schließen Sie Ihre Anmeldung ab. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
  },
  registrationCode: {
    subject: '{{tenantName}}: Bestätigen Sie Ihre Adresse für die Zwei-Faktor-Anmeldung',
    htmlLeadIn: 'Ihr Bestätigungscode für {{tenantName}} lautet',
    purpose:
      'Damit bestätigen Sie diese Adresse für die Zwei-Faktor-Anmeldung. Er läuft in {{minutes}} Minuten ab und gilt nur einmal.',
  },
  recoveryCodeUsed: {
    subject: '{{tenantName}}: Ein Wiederherstellungscode wurde verwendet',
    signedIn:
      'Mit einem Wiederherstellungscode hat sich jemand als {{username}} bei {{tenantName}} angemeldet.',
    from: 'Von: IP-Adresse {{ip}}, {{browser}}.',
    remaining:
      'Sie haben noch {{remaining}} Wiederherstellungscodes. Wenn nur noch wenige übrig sind, erstellen Sie nach der Anmeldung einen neuen Satz.',
    notYou: [
      'Wenn Sie das nicht waren, kennt jemand Ihr Passwort und einen Ihrer Wiederherstellungscodes:',
      'Ändern Sie Ihr Passwort und bitten Sie Ihre Administration, Ihre Zwei-Faktor-Anmeldung zurückzusetzen.',
    ],
  },
  channelTest: {
    subject: '{{tenantName}}: Test des E-Mail-Kanals',
    about: 'Dies ist ein Test des E-Mail-Kanals von {{tenantName}}.',
    why: 'Eine Administratorin oder ein Administrator hat ihn gesendet, um zu prüfen, ob Anmeldecodes diese Adresse erreichen.',
    nothingToDo: 'Sie müssen nichts tun.',
  },
});
