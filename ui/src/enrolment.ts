import type { AppRegistration } from './api.js';
import { h } from './dom.js';

/** An authenticator enrolment as the sign-in and account pages show it: QR, key, otpauth link. */
export function authenticatorEnrolment(reg: AppRegistration): HTMLElement[] {
  const grouped = reg.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return [
    h('img', {
      id: 'qr',
      src: reg.qrCodeDataUrl,
      width: 200,
      height: 200,
      alt: 'QR code for your authenticator app. The key is written below.',
    }),
    h(
      'p',
      {},
      'Key for manual entry: ',
      h('code', { id: 'secret', 'data-secret': reg.secret }, grouped),
    ),
    h('p', {}, h('a', { href: reg.otpauthUri, id: 'otpauth' }, 'Open in an authenticator app')),
  ];
}
