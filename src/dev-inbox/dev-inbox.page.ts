import { escapeHtml } from '../common/text/escape-html';
import { INBOX_CAPACITY, InboxMail } from './dev-inbox.service';

/** Anyone who reaches the SMTP port writes these fields: everything is escaped. */
const e = escapeHtml;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.hint{color:#666}
article{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline}
.subject{font-weight:600}.meta{color:#666;font-size:.9rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.75rem;border-radius:4px;margin:.5rem 0 0}`;

/** The inbox as one self-contained page (no script, no external asset), newest first. */
export function renderInboxPage(mails: InboxMail[], smtpPort: number): string {
  const items = mails.length
    ? mails
        .map(
          (m) => `<article>
<header><span class="subject">${e(m.subject || '(no subject)')}</span>
<span class="meta">to ${e(m.to.join(', '))}</span>
<time class="meta" datetime="${e(m.receivedAt)}">${e(m.receivedAt)}</time></header>
<pre>${e(m.text)}</pre>
</article>`,
        )
        .join('\n')
    : '<p>No mail yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Development inbox</title>
<style>${STYLE}</style></head>
<body><h1>Development inbox</h1>
<p class="hint">Mails sent to SMTP 127.0.0.1:${smtpPort}, newest first: the last ${INBOX_CAPACITY}, in memory
only. This page refreshes every 5 s; the same as JSON at <a href="/dev/inbox.json">/dev/inbox.json</a>.</p>
${items}
</body></html>
`;
}
