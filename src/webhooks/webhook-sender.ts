import * as http from 'node:http';
import * as https from 'node:https';
import { isInternalHost, publicOnlyLookup } from '../common/net/host-guard';
import { hostOf } from './webhook-url';

export interface SendResult {
  /** The receiver's HTTP status; null when there was no answer. */
  statusCode: number | null;
  /** Why there was no answer (for the delivery log); null when there was one. */
  error: string | null;
}

/** A short, stable reason for a request that got no HTTP answer (never a hostname or address). */
export function sendFailureReason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ETIMEDOUT_WEBHOOK') return 'timeout';
  if (code === 'EINTERNALADDRESS') return 'host_refused';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns_failed';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) return 'tls_error';
  return 'connection_error';
}

/**
 * POSTs one delivery. Redirects are not followed (a 3xx is a failed attempt), the whole exchange
 * is bounded by `timeoutMs`, and with `guard` (production, host not in WEBHOOK_ALLOWED_HOSTS) the
 * URL must be https and every address it resolves to public, vetted in the socket's own lookup.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; guard: boolean },
): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ statusCode: null, error: 'invalid_url' });
  }
  if (options.guard && (url.protocol !== 'https:' || isInternalHost(hostOf(url))))
    return Promise.resolve({ statusCode: null, error: 'host_refused' });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'efcx-2fa-webhooks',
        },
        ...(options.guard ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        settle({ statusCode: res.statusCode ?? null, error: null });
        res.destroy(); // the answer's body is not read
      },
    );
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT_WEBHOOK' })),
      options.timeoutMs,
    );
    req.on('error', (err) => settle({ statusCode: null, error: sendFailureReason(err) }));
    req.end(body);
  });
}
