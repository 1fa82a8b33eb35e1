import type { AppConfig } from '../config/app-config';

/** What the banner reads: the configuration, whether a password was given, the credentials file. */
export interface BannerInput {
  config: AppConfig;
  env: { BOOTSTRAP_ADMIN_PASSWORD?: string };
  credentials?: { file: string };
}

/**
 * The start banner: the URLs first (service, sign-in page, admin console, development inbox, API
 * docs), one a line, then the development account. `inbox`: the development inbox runs (a taken
 * DEV_MAIL_PORT was logged as a warning).
 */
export function readyBanner(p: BannerInput, inbox: boolean): string[] {
  const { config } = p;
  const base = `http://127.0.0.1:${config.http.port}`;
  const tenant = config.bootstrap.tenant ? `?tenant=${config.bootstrap.tenant}` : '';
  const lines = [`listening on ${base}`];
  const url = (what: string, where: string) => lines.push(`  ${`${what}:`.padEnd(15)}${where}`);
  if (config.http.uiEnabled) {
    url('sign-in page', `${base}/${tenant}`);
    url('admin console', `${base}/admin${tenant}`);
  }
  if (inbox) url('dev inbox', `${base}/dev/inbox (SMTP on 127.0.0.1:${config.mail.devMailPort})`);
  if (config.http.docsEnabled) url('API docs', `${base}/docs`);
  if (!config.runtime.production && config.bootstrap.tenant) {
    lines.push(
      `tenant "${config.bootstrap.tenant}", admin user "${config.bootstrap.adminUsername}"` +
        (p.env.BOOTSTRAP_ADMIN_PASSWORD
          ? ''
          : ` (password: BOOTSTRAP_ADMIN_PASSWORD in ${p.credentials?.file})`),
    );
  }
  return lines;
}
