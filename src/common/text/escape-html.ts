const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '/': '&#x2F;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Text made safe for HTML content and quoted attributes (OWASP's set, `/`, `` ` `` and `=` too). */
export const escapeHtml = (s: string): string => s.replace(/[&<>"'`=/]/g, (c) => HTML_ESCAPES[c]);
