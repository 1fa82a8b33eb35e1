import { localeTemplates } from './locale-templates';

export const es = localeTemplates({
  browser: { unknown: 'un navegador desconocido', on: 'en' },
  codeLine: 'Su código de {{tenantName}} es {{code}}',
  requestedFrom: 'Solicitado desde la dirección IP {{ip}} con {{browser}}.',
  notYou: 'Si no fue usted, alguien conoce su contraseña: cámbiela y avise a su administrador.',
  neverShare: 'No comparta nunca este código; nadie del soporte se lo pedirá.',
  loginCode: {
    subject: '{{tenantName}}: su código de inicio de sesión',
    htmlLeadIn: 'Su código de inicio de sesión de {{tenantName}} es',
    purpose:
      'Úselo para terminar de iniciar sesión. Caduca en {{minutes}} minutos y solo sirve una vez.',
  },
  registrationCode: {
    subject: '{{tenantName}}: confirme su dirección para el inicio de sesión en dos pasos',
    htmlLeadIn: 'Su código de confirmación de {{tenantName}} es',
    purpose:
      'Úselo para confirmar esta dirección para el inicio de sesión en dos pasos. Caduca en {{minutes}} minutos y solo sirve una vez.',
  },
  recoveryCodeUsed: {
    subject: '{{tenantName}}: se ha usado un código de recuperación',
    signedIn:
      'Se ha usado un código de recuperación para iniciar sesión en {{tenantName}} como {{username}}.',
    from: 'Desde: dirección IP {{ip}}, {{browser}}.',
    remaining:
      'Le quedan {{remaining}} códigos de recuperación. Si le quedan pocos, cree un juego nuevo después de iniciar sesión.',
    notYou: [
      'Si no fue usted, alguien conoce su contraseña y uno de sus códigos de recuperación:',
      'cambie su contraseña y pida a su administrador que restablezca su inicio de sesión en dos pasos.',
    ],
  },
  channelTest: {
    subject: '{{tenantName}}: prueba del canal de correo',
    about: 'Esta es una prueba del canal de correo de {{tenantName}}.',
    why: 'Un administrador la envió para comprobar que los códigos de inicio de sesión llegan a esta dirección.',
    nothingToDo: 'No tiene que hacer nada.',
  },
});
