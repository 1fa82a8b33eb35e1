import Bowser from 'bowser';
import type { CodeMessage, NoticeMessage, TestMessage } from '../channel-provider';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

const MAX_BROWSER_LENGTH = 60;

/**
 * Only names from bowser's own lists are shown: its fallback takes the first word of an unknown
 * User-Agent, which is the sender's text.
 */
const KNOWN_BROWSERS = new Set<string>(Object.values(Bowser.BROWSER_MAP));
const KNOWN_SYSTEMS = new Set<string>(Object.values(Bowser.OS_MAP));

/**
 * "Chrome 131 on Windows" from a User-Agent, parsed with bowser; "an unknown browser" when it
 * names no browser it knows. The raw header never reaches a mail: it is the sender's text, and
 * a crafted one ("… visit https://evil.test to cancel") would be phishing in our name.
 */
export function describeBrowser(userAgent: string | null): string {
  if (!userAgent?.trim()) return 'an unknown browser';
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent.slice(0, 1024));
  } catch {
    return 'an unknown browser';
  }
  const name = parsed.browser.name;
  if (!name || !KNOWN_BROWSERS.has(name)) return 'an unknown browser';
  const major = /^\d{1,4}(?=\.|$)/.exec(parsed.browser.version ?? '')?.[0];
  const os = parsed.os.name && KNOWN_SYSTEMS.has(parsed.os.name) ? parsed.os.name : undefined;
  const text = `${name}${major ? ` ${major}` : ''}${os ? ` on ${os}` : ''}`;
  return text.length > MAX_BROWSER_LENGTH ? name.slice(0, MAX_BROWSER_LENGTH) : text;
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

/**
 * The mail of POST …/channels/{id}/test: says what it is and nothing else. No code and no
 * "someone knows your password" warning: a test must not look like a sign-in.
 */
export function renderTestEmail(m: TestMessage): RenderedEmail {
  const subject = `${m.tenantName}: test of the channel "${m.channelName}"`;
  const text = [
    `This is a test of the channel "${m.channelName}" of ${m.tenantName}.`,
    '',
    'An administrator sent it to check that sign-in codes can reach this address.',
    'Nothing needs to be done.',
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#222">
<p>This is a test of the channel &quot;${e(m.channelName)}&quot; of ${e(m.tenantName)}.</p>
<p>An administrator sent it to check that sign-in codes can reach this address.
Nothing needs to be done.</p>
</body></html>`;
  return { subject, text, html };
}

/**
 * Template `recovery_code_used` (API.md v1.1 §6): a recovery code signed the user in (or proved
 * their factor), how many are left, and where it came from; never the code.
 */
export function renderRecoveryCodeUsedEmail(m: NoticeMessage): RenderedEmail {
  const subject = `${m.tenantName}: a recovery code was used`;
  const browser = describeBrowser(m.userAgent);
  const left = `${m.remaining} recovery code${m.remaining === 1 ? '' : 's'} left`;
  const lines = [
    `A recovery code was used to sign in to ${m.tenantName}.`,
    '',
    `From: ${m.ip}, ${browser}.`,
    `You have ${left}.`,
    '',
    'If it was not you, someone knows your password and one of your recovery codes:',
    'change your password and ask your administrator to reset your two-factor sign-in.',
  ];
  const e = escapeHtml;
  const html = `<!doctype html><html><body style="font-family:sans-serif;color:#222">
<p>A recovery code was used to sign in to ${e(m.tenantName)}.</p>
<p>From: ${e(m.ip)}, ${e(browser)}.<br>You have ${e(left)}.</p>
<p>If it was not you, someone knows your password and one of your recovery codes:
change your password and ask your administrator to reset your two-factor sign-in.</p>
</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
