/**
 * The one HTML frame of every built-in mail: a centred table at most 600 px wide, inline styles
 * only (mail clients drop <style> and external sheets), no images, no links, no external assets.
 * `body` is a template (its {{variables}} are escaped when rendered).
 */
export function emailLayout(lang: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{tenantName}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #e1e4e8;border-radius:6px">
<tr><td style="padding:20px 24px;border-bottom:1px solid #e1e4e8;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#24292f">{{tenantName}}</td></tr>
<tr><td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#24292f">
${body}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** The code, large and easy to copy. */
export const CODE_BLOCK =
  '<p style="margin:0 0 16px;font-family:Consolas,Menlo,monospace;font-size:30px;font-weight:bold;letter-spacing:6px;color:#0b3d91">{{code}}</p>';

/** A paragraph; `muted` for the security part. */
export const p = (html: string, muted = false): string =>
  `<p style="margin:0 0 16px${muted ? ';font-size:13px;color:#57606a' : ''}">${html}</p>`;
