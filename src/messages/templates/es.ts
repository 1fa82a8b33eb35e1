import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

const WARNING =
  'Si no fue usted, alguien conoce su contraseña: cámbiela y avise a su administrador.';
const NEVER_SHARE = 'No comparta nunca este código; nadie del soporte se lo pedirá.';
const FROM = 'Solicitado desde la dirección IP {{ip}} con {{browser}}.';

export const es: BuiltInLocale = {
  browser: { unknown: 'un navegador desconocido', on: 'en' },
  templates: {
    login_code: {
      subject: '{{tenantName}}: su código de inicio de sesión',
      text: [
        'Su código de {{tenantName}} es {{code}}',
        '',
        'Úselo para terminar de iniciar sesión. Caduca en {{minutes}} minutos y solo sirve una vez.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Su código de inicio de sesión de {{tenantName}} es'),
        CODE_BLOCK,
        p(
          'Úselo para terminar de iniciar sesión. Caduca en {{minutes}} minutos y solo sirve una vez.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    registration_code: {
      subject: '{{tenantName}}: confirme su dirección para el inicio de sesión en dos pasos',
      text: [
        'Su código de {{tenantName}} es {{code}}',
        '',
        'Úselo para confirmar esta dirección para el inicio de sesión en dos pasos. Caduca en {{minutes}} minutos y solo sirve una vez.',
        '',
        FROM,
        WARNING,
        NEVER_SHARE,
      ].join('\n'),
      htmlBody: [
        p('Su código de confirmación de {{tenantName}} es'),
        CODE_BLOCK,
        p(
          'Úselo para confirmar esta dirección para el inicio de sesión en dos pasos. Caduca en {{minutes}} minutos y solo sirve una vez.',
        ),
        p(`${FROM}<br>${WARNING}<br>${NEVER_SHARE}`, true),
      ].join('\n'),
    },
    recovery_code_used: {
      subject: '{{tenantName}}: se ha usado un código de recuperación',
      text: [
        'Se ha usado un código de recuperación para iniciar sesión en {{tenantName}} como {{username}}.',
        '',
        'Desde: dirección IP {{ip}}, {{browser}}.',
        'Le quedan {{remaining}} códigos de recuperación. Si le quedan pocos, cree un juego nuevo después de iniciar sesión.',
        '',
        'Si no fue usted, alguien conoce su contraseña y uno de sus códigos de recuperación:',
        'cambie su contraseña y pida a su administrador que restablezca su inicio de sesión en dos pasos.',
      ].join('\n'),
      htmlBody: [
        p(
          'Se ha usado un código de recuperación para iniciar sesión en {{tenantName}} como {{username}}.',
        ),
        p('Desde: dirección IP {{ip}}, {{browser}}.'),
        p(
          'Le quedan <strong>{{remaining}}</strong> códigos de recuperación. Si le quedan pocos, cree un juego nuevo después de iniciar sesión.',
        ),
        p(
          'Si no fue usted, alguien conoce su contraseña y uno de sus códigos de recuperación: cambie su contraseña y pida a su administrador que restablezca su inicio de sesión en dos pasos.',
          true,
        ),
      ].join('\n'),
    },
    channel_test: {
      subject: '{{tenantName}}: prueba del canal de correo',
      text: [
        'Esta es una prueba del canal de correo de {{tenantName}}.',
        '',
        'Un administrador la envió para comprobar que los códigos de inicio de sesión llegan a esta dirección.',
        'No tiene que hacer nada.',
      ].join('\n'),
      htmlBody: [
        p('Esta es una prueba del canal de correo de {{tenantName}}.'),
        p(
          'Un administrador la envió para comprobar que los códigos de inicio de sesión llegan a esta dirección. No tiene que hacer nada.',
        ),
      ].join('\n'),
    },
  },
};
