import type { FieldError } from '../common/errors/app.exception';
import { hostAllowed, isInternalHost } from '../common/net/host-guard';

/** The host of a URL as the host guard reads it (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * A webhook URL under the channels' host rules: WEBHOOK_ALLOWED_HOSTS, when set, lists the only
 * hosts allowed (and those may be inside, and plain http); otherwise production requires https
 * and refuses internal addresses. Returns the normalised URL, or the problems.
 */
export function checkWebhookUrl(
  raw: string,
  ctx: { production: boolean; allowedHosts: string[] },
): { url: string } | { errors: FieldError[] } {
  const problem = (message: string) => ({ errors: [{ field: 'url', message }] });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return problem('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return problem('url must be an absolute http(s) URL');
  if (url.username || url.password) return problem('url must not contain credentials');
  if (url.hash) return problem('url must not contain a fragment');
  const host = hostOf(url);
  if (ctx.allowedHosts.length > 0) {
    if (!hostAllowed(host, ctx.allowedHosts))
      return problem('url host is not in WEBHOOK_ALLOWED_HOSTS');
  } else if (ctx.production) {
    if (url.protocol !== 'https:') return problem('url must use https');
    if (isInternalHost(host)) return problem('url must not be an internal address');
  }
  if (url.href.length > 2048) return problem('url must be at most 2048 characters');
  return { url: url.href };
}
