import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

const WARNING =
  'If this was not you, someone knows your password: change it and tell your administrator.';
const NEVER_SHARE = 'Never share this code; nobody from support will ask for it.';

export const en: BuiltInLocale = {
  browser: { unknown: 'an unknown browser', on: 'on' },
  templates: {
    login_code: {
      subject: '{{tenantName}}: your sign-in code',
      text: [
        'Your {{tenantName}} code is {{code}}',
        '',
        'Use it to finish signing in. It expires in {{minutes}} minutes and works once.',
        '',
        'Requested from IP address {{ip}} using {{browser}}.',
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Your {{tenantName}} sign-in code is'),
        CODE_BLOCK,
        p('Use it to finish signing in. It expires in {{minutes}} minutes and works once.'),
        p(
          `Requested from IP address {{ip}} using {{browser}}.<br>${WARNING}<br>${NEVER_SHARE}`,
          true,
        ),
      ].join('\n'),
    },
    registration_code: {
      subject: '{{tenantName}}: confirm your address for two-factor sign-in',
      text: [
        'Your {{tenantName}} code is {{code}}',
        '',
        'Use it to confirm this address for two-factor sign-in. It expires in {{minutes}} minutes and works once.',
        '',
        'Requested from IP address {{ip}} using {{browser}}.',
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Your {{tenantName}} confirmation code is'),
        CODE_BLOCK,
        p(
          'Use it to confirm this address for two-factor sign-in. It expires in {{minutes}} minutes and works once.',
        ),
        p(
          `Requested from IP address {{ip}} using {{browser}}.<br>${WARNING}<br>${NEVER_SHARE}`,
          true,
        ),
      ].join('\n'),
    },
    recovery_code_used: {
      subject: '{{tenantName}}: a recovery code was used',
      text: [
        'A recovery code was used to sign in to {{tenantName}} as {{username}}.',
        '',
        'From: IP address {{ip}}, {{browser}}.',
        'You have {{remaining}} recovery codes left. When few are left, create a new set after signing in.',
        '',
        'If it was not you, someone knows your password and one of your recovery codes:',
        'change your password and ask your administrator to reset your two-factor sign-in.',
      ].join('\n'),
      htmlBody: [
        p('A recovery code was used to sign in to {{tenantName}} as {{username}}.'),
        p('From: IP address {{ip}}, {{browser}}.'),
        p(
          'You have <strong>{{remaining}}</strong> recovery codes left. When few are left, create a new set after signing in.',
        ),
        p(
          'If it was not you, someone knows your password and one of your recovery codes: change your password and ask your administrator to reset your two-factor sign-in.',
          true,
        ),
      ].join('\n'),
    },
    channel_test: {
      subject: '{{tenantName}}: test of the email channel',
      text: [
        'This is a test of the email channel of {{tenantName}}.',
        '',
        'An administrator sent it to check that sign-in codes can reach this address.',
        'Nothing needs to be done.',
      ].join('\n'),
      htmlBody: [
        p('This is a test of the email channel of {{tenantName}}.'),
        p(
          'An administrator sent it to check that sign-in codes can reach this address. Nothing needs to be done.',
        ),
      ].join('\n'),
    },
  },
};
