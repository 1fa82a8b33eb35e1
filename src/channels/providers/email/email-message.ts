import type { CodeMessage } from '../channel-provider';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

function firstMatch(ua: string, table: Array<[RegExp, string]>): string | undefined {
  return table.find(([re]) => re.test(ua))?.[1];
}

/** "Chrome on Windows" from a user agent; the raw string, shortened, when nothing matches. */
export function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return 'an unknown browser';
  const browser = firstMatch(userAgent, [
    [/Edg\//, 'Edge'],
    [/OPR\/|Opera/, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/Chrome\/|CriOS\//, 'Chrome'],
    [/Safari\//, 'Safari'],
  ]);
  const os = firstMatch(userAgent, [
    [/Windows/, 'Windows'],
    [/iPhone|iPad|iOS/, 'iOS'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/Android/, 'Android'],
    [/Linux/, 'Linux'],
  ]);
  if (browser && os) return `${browser} on ${os}`;
  if (browser) return browser;
  return userAgent.length > 80 ? `${userAgent.slice(0, 77)}...` : userAgent;
}

/** "45 seconds", "4 minutes": rounded down, so the mail never promises more time than there is. */
export function describeDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  const minutes = Math.floor(s / 60);
  return `${minutes} minutes`;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const PURPOSE: Record<CodeMessage['purpose'], string> = {
  login: 'to finish signing in',
  register: 'to confirm this address for two-factor sign-in',
  test: 'to test the email channel (this is a test message)',
};

/**
 * The default template (rule 9): the code, what it is for, when it expires, and the IP address and
 * browser of the sign-in, so someone who did not ask knows their password is known to someone.
 */
export function renderCodeEmail(m: CodeMessage): RenderedEmail {
  const minutes = describeDuration(m.expiresInSeconds);
  const browser = describeBrowser(m.userAgent);
  const subject = `${m.tenantName}: your sign-in code`;
  const text = [
    `Your ${m.tenantName} code is ${m.code}`,
    '',
    `Use it ${PURPOSE[m.purpose]}. It expires in ${minutes} and works once.`,
    '',
    `Requested from IP address ${m.ip} using ${browser}.`,
    'If this was not you, someone knows your password: change it and tell your administrator.',
    'Never share this code; nobody from support will ask for it.',
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#222">
<p>Your ${e(m.tenantName)} code is</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${e(m.code)}</p>
<p>Use it ${e(PURPOSE[m.purpose])}. It expires in ${e(minutes)} and works once.</p>
<p style="color:#555">Requested from IP address ${e(m.ip)} using ${e(browser)}.<br>
If this was not you, someone knows your password: change it and tell your administrator.<br>
Never share this code; nobody from support will ask for it.</p>
</body></html>`;
  return { subject, text, html };
}
