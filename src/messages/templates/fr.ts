import { localeTemplates } from './locale-templates';

export const fr = localeTemplates({
  browser: { unknown: 'un navigateur inconnu', on: 'sous' },
  codeLine: 'Votre code {{tenantName}} est {{code}}',
  requestedFrom: 'Demandé depuis l’adresse IP {{ip}} avec {{browser}}.',
  notYou:
    'Si ce n’était pas vous, quelqu’un connaît votre mot de passe : changez-le et prévenez votre administrateur.',
  neverShare: 'Ne communiquez jamais ce code ; personne du support ne vous le demandera.',
  loginCode: {
    subject: '{{tenantName}} : votre code de connexion',
    htmlLeadIn: 'Votre code de connexion {{tenantName}} est',
    purpose:
      'Utilisez-le pour terminer votre connexion. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
  },
  registrationCode: {
    subject: '{{tenantName}} : confirmez votre adresse pour la connexion à deux facteurs',
    htmlLeadIn: 'Votre code de confirmation {{tenantName}} est',
    purpose:
      'Utilisez-le pour confirmer cette adresse pour la connexion à deux facteurs. Il expire dans {{minutes}} minutes et ne sert qu’une fois.',
  },
  recoveryCodeUsed: {
    subject: '{{tenantName}} : un code de récupération a été utilisé',
    signedIn:
      'Un code de récupération a servi à se connecter à {{tenantName}} en tant que {{username}}.',
    from: 'Depuis : adresse IP {{ip}}, {{browser}}.',
    remaining:
      'Il vous reste {{remaining}} codes de récupération. S’il en reste peu, créez-en une nouvelle série après vous être connecté.',
    notYou: [
      'Si ce n’était pas vous, quelqu’un connaît votre mot de passe et l’un de vos codes de récupération :',
      'changez votre mot de passe et demandez à votre administrateur de réinitialiser votre connexion à deux facteurs.',
    ],
  },
  channelTest: {
    subject: '{{tenantName}} : test du canal e-mail',
    about: 'Ceci est un test du canal e-mail de {{tenantName}}.',
    why: 'Un administrateur l’a envoyé pour vérifier que les codes de connexion parviennent à cette adresse.',
    nothingToDo: 'Vous n’avez rien à faire.',
  },
});
