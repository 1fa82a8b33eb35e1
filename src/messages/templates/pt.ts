import { localeTemplates } from './locale-templates';

export const pt = localeTemplates({
  browser: { unknown: 'um navegador desconhecido', on: 'em' },
  codeLine: 'O seu código {{tenantName}} é {{code}}',
  requestedFrom: 'Pedido a partir do endereço IP {{ip}} com {{browser}}.',
  notYou: 'Se não foi você, alguém conhece a sua senha: altere-a e avise o seu administrador.',
  neverShare: 'Nunca partilhe este código; ninguém do suporte o vai pedir.',
  loginCode: {
    subject: '{{tenantName}}: o seu código de início de sessão',
    htmlLeadIn: 'O seu código de início de sessão {{tenantName}} é',
    purpose:
      'Use-o para concluir o início de sessão. Expira em {{minutes}} minutos e só funciona uma vez.',
  },
  registrationCode: {
    subject: '{{tenantName}}: confirme o seu endereço para o início de sessão em dois passos',
    htmlLeadIn: 'O seu código de confirmação {{tenantName}} é',
    purpose:
      'Use-o para confirmar este endereço para o início de sessão em dois passos. Expira em {{minutes}} minutos e só funciona uma vez.',
  },
  recoveryCodeUsed: {
    subject: '{{tenantName}}: foi usado um código de recuperação',
    signedIn:
      'Foi usado um código de recuperação para iniciar sessão em {{tenantName}} como {{username}}.',
    from: 'A partir de: endereço IP {{ip}}, {{browser}}.',
    remaining:
      'Restam-lhe {{remaining}} códigos de recuperação. Quando restarem poucos, crie um novo conjunto depois de iniciar sessão.',
    notYou: [
      'Se não foi você, alguém conhece a sua senha e um dos seus códigos de recuperação:',
      'altere a sua senha e peça ao seu administrador que reponha o seu início de sessão em dois passos.',
    ],
  },
  channelTest: {
    subject: '{{tenantName}}: teste do canal de email',
    about: 'Este é um teste do canal de email de {{tenantName}}.',
    why: 'Um administrador enviou-o para verificar que os códigos de início de sessão chegam a este endereço.',
    nothingToDo: 'Não é preciso fazer nada.',
  },
});
