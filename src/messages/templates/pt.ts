import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

const WARNING =
  'Se não foi você, alguém conhece a sua senha: altere-a e avise o seu administrador.';
const NEVER_SHARE = 'Nunca partilhe este código; ninguém do suporte o vai pedir.';
const FROM = 'Pedido a partir do endereço IP {{ip}} com {{browser}}.';

export const pt: BuiltInLocale = {
  browser: { unknown: 'um navegador desconhecido', on: 'em' },
  templates: {
    login_code: {
      subject: '{{tenantName}}: o seu código de início de sessão',
      text: [
        'O seu código {{tenantName}} é {{code}}',
        '',
        'Use-o para concluir o início de sessão. Expira em {{minutes}} minutos e só funciona uma vez.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('O seu código de início de sessão {{tenantName}} é'),
        CODE_BLOCK,
        p(
          'Use-o para concluir o início de sessão. Expira em {{minutes}} minutos e só funciona uma vez.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    registration_code: {
      subject: '{{tenantName}}: confirme o seu endereço para o início de sessão em dois passos',
      text: [
        'O seu código {{tenantName}} é {{code}}',
        '',
        'Use-o para confirmar este endereço para o início de sessão em dois passos. Expira em {{minutes}} minutos e só funciona uma vez.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('O seu código de confirmação {{tenantName}} é'),
        CODE_BLOCK,
        p(
          'Use-o para confirmar este endereço para o início de sessão em dois passos. Expira em {{minutes}} minutos e só funciona uma vez.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    recovery_code_used: {
      subject: '{{tenantName}}: foi usado um código de recuperação',
      text: [
        'Foi usado um código de recuperação para iniciar sessão em {{tenantName}} como {{username}}.',
        '',
        'A partir de: endereço IP {{ip}}, {{browser}}.',
        'Restam-lhe {{remaining}} códigos de recuperação. Quando restarem poucos, crie um novo conjunto depois de iniciar sessão.',
        '',
        'Se não foi você, alguém conhece a sua senha e um dos seus códigos de recuperação:',
        'altere a sua senha e peça ao seu administrador que reponha o seu início de sessão em dois passos.',
      ].join('\n'),
      htmlBody: [
        p(
          'Foi usado um código de recuperação para iniciar sessão em {{tenantName}} como {{username}}.',
        ),
        p('A partir de: endereço IP {{ip}}, {{browser}}.'),
        p(
          'Restam-lhe <strong>{{remaining}}</strong> códigos de recuperação. Quando restarem poucos, crie um novo conjunto depois de iniciar sessão.',
        ),
        p(
          'Se não foi você, alguém conhece a sua senha e um dos seus códigos de recuperação: altere a sua senha e peça ao seu administrador que reponha o seu início de sessão em dois passos.',
          true,
        ),
      ].join('\n'),
    },
    channel_test: {
      subject: '{{tenantName}}: teste do canal de email',
      text: [
        'Este é um teste do canal de email de {{tenantName}}.',
        '',
        'Um administrador enviou-o para verificar que os códigos de início de sessão chegam a este endereço.',
        'Não é preciso fazer nada.',
      ].join('\n'),
      htmlBody: [
        p('Este é um teste do canal de email de {{tenantName}}.'),
        p(
          'Um administrador enviou-o para verificar que os códigos de início de sessão chegam a este endereço. Não é preciso fazer nada.',
        ),
      ].join('\n'),
    },
  },
};
