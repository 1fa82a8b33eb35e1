import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

const WARNING =
  'Si ce n’était pas vous, quelqu’un connaît votre mot de passe : changez-le et prévenez votre administrateur.';
const NEVER_SHARE = 'Ne communiquez jamais ce code ; personne du support ne vous le demandera.';
const FROM = 'Demandé depuis l’adresse IP {{ip}} avec {{browser}}.';

export const fr: BuiltInLocale = {
  browser: { unknown: 'un navigateur inconnu', on: 'sous' },
  templates: {
    login_code: {
      subject: '{{tenantName}} : votre code de connexion',
      text: [
        'Votre code {{tenantName}} est {{code}}',
        '',
        'Utilisez-le pour terminer votre connexion. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Votre code de connexion {{tenantName}} est'),
        CODE_BLOCK,
        p(
          'Utilisez-le pour terminer votre connexion. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    registration_code: {
      subject: '{{tenantName}} : confirmez votre adresse pour la connexion à deux facteurs',
      text: [
        'Votre code {{tenantName}} est {{code}}',
        '',
        'Utilisez-le pour confirmer cette adresse pour la connexion à deux facteurs. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Votre code de confirmation {{tenantName}} est'),
        CODE_BLOCK,
        p(
          'Utilisez-le pour confirmer cette adresse pour la connexion à deux facteurs. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    recovery_code_used: {
      subject: '{{tenantName}} : un code de récupération a été utilisé',
      text: [
        'Un code de récupération a servi à se connecter à {{tenantName}} en tant que {{username}}.',
        '',
        'Depuis : adresse IP {{ip}}, {{browser}}.',
        'Il vous reste {{remaining}} codes de récupération. S’il en reste peu, créez-en une nouvelle série après vous être connecté.',
        '',
        'Si ce n’était pas vous, quelqu’un connaît votre mot de passe et l’un de vos codes de récupération :',
        'changez votre mot de passe et demandez à votre administrateur de réinitialiser votre connexion à deux facteurs.',
      ].join('\n'),
      htmlBody: [
        p(
          'Un code de récupération a servi à se connecter à {{tenantName}} en tant que {{username}}.',
        ),
        p('Depuis : adresse IP {{ip}}, {{browser}}.'),
        p(
          'Il vous reste <strong>{{remaining}}</strong> codes de récupération. S’il en reste peu, créez-en une nouvelle série après vous être connecté.',
        ),
        p(
          'Si ce n’était pas vous, quelqu’un connaît votre mot de passe et l’un de vos codes de récupération : changez votre mot de passe et demandez à votre administrateur de réinitialiser votre connexion à deux facteurs.',
          true,
        ),
      ].join('\n'),
    },
    channel_test: {
      subject: '{{tenantName}} : test du canal e-mail',
      text: [
        'Ceci est un test du canal e-mail de {{tenantName}}.',
        '',
        'Un administrateur l’a envoyé pour vérifier que les codes de connexion parviennent à cette adresse.',
        'Vous n’avez rien à faire.',
      ].join('\n'),
      htmlBody: [
        p('Ceci est un test du canal e-mail de {{tenantName}}.'),
        p(
          'Un administrateur l’a envoyé pour vérifier que les codes de connexion parviennent à cette adresse. Vous n’avez rien à faire.',
        ),
      ].join('\n'),
    },
  },
};
