import { createHmac } from 'node:crypto';

/** RFC 4648 base32 (no padding needed), written here so the tests do not trust otplib. */
export function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of input.replace(/=+$/, '').toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP from first principles (RFC 4226 dynamic truncation). */
export function independentTotp(
  secret: Buffer,
  opts: { algorithm: 'SHA1' | 'SHA256' | 'SHA512'; digits: number; period: number },
  epochSeconds = Date.now() / 1000,
): string {
  const counter = Math.floor(epochSeconds / opts.period);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac(opts.algorithm.toLowerCase(), secret).update(msg).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binary = (hmac.readUInt32BE(offset) & 0x7fffffff) % 10 ** opts.digits;
  return String(binary).padStart(opts.digits, '0');
}

/** The parts of an otpauth://totp/… URI. */
export function parseOtpauth(uri: string) {
  const url = new URL(uri);
  const q = url.searchParams;
  return {
    protocol: url.protocol,
    host: url.host,
    label: decodeURIComponent(url.pathname.slice(1)),
    secret: q.get('secret') ?? '',
    issuer: q.get('issuer') ?? '',
    algorithm: (q.get('algorithm') ?? 'SHA1') as 'SHA1' | 'SHA256' | 'SHA512',
    digits: Number(q.get('digits') ?? 6),
    period: Number(q.get('period') ?? 30),
  };
}

/**
 * Waits until the clock is not within `marginSeconds` of a step edge, so a code computed now is
 * still in the same step when the service checks it (tests must not depend on luck).
 */
export async function awayFromStepEdge(period: number, marginSeconds = 3): Promise<void> {
  const into = (Date.now() / 1000) % period;
  if (into > period - marginSeconds)
    await new Promise((r) => setTimeout(r, (period - into + 0.2) * 1000));
}
