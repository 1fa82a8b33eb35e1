import { localeTemplates } from './locale-templates';

export const en = localeTemplates({
  browser: { unknown: 'an unknown browser', on: 'on' },
  codeLine: 'Your {{tenantName}} code is {{code}}',
  requestedFrom: 'Requested from IP address {{ip}} using {{browser}}.',
  notYou:
    'If this was not you, someone knows your password: change it and tell your administrator.',
  neverShare: 'Never share this code; nobody from support will ask for it.',
  loginCode: {
    subject: '{{tenantName}}: your sign-in code',
    htmlLeadIn: 'Your {{tenantName}} sign-in code is',
    purpose: 'Use it to finish signing in. It expires in {{minutes}} minutes and works once.',
  },
  registrationCode: {
    subject: '{{tenantName}}: confirm your address for two-factor sign-in',
    htmlLeadIn: 'Your {{tenantName}} confirmation code is',
    purpose:
      'Use it to confirm this address for two-factor sign-in. It expires in {{minutes}} minutes and works once.',
  },
  recoveryCodeUsed: {
    subject: '{{tenantName}}: a recovery code was used',
    signedIn: 'A recovery code was used to sign in to {{tenantName}} as {{username}}.',
    from: 'From: IP address {{ip}}, {{browser}}.',
    remaining:
      'You have {{remaining}} recovery codes left. When few are left, create a new set after signing in.',
    notYou: [
      'If it was not you, someone knows your password and one of your recovery codes:',
      'change your password and ask your administrator to reset your two-factor sign-in.',
    ],
  },
  channelTest: {
    subject: '{{tenantName}}: test of the email channel',
    about: 'This is a test of the email channel of {{tenantName}}.',
    why: 'An administrator sent it to check that sign-in codes can reach this address.',
    nothingToDo: 'Nothing needs to be done.',
  },
});
