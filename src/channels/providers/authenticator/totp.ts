import { generate, verify } from 'otplib';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** What a registration is enrolled with (RFC 6238): kept with it when the channel changes. */
export interface TotpParams {
  digits: number;
  periodSeconds: number;
  algorithm: TotpAlgorithm;
}

const ALGORITHM = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const;

/** The code for `epochSeconds` (RFC 6238; with epoch = counter × period it is RFC 4226 HOTP). */
export function totpAt(
  secret: string | Uint8Array,
  p: TotpParams,
  epochSeconds: number,
): Promise<string> {
  return generate({
    secret,
    digits: p.digits,
    period: p.periodSeconds,
    algorithm: ALGORITHM[p.algorithm],
    epoch: epochSeconds,
  });
}

export type TotpCheck = { valid: false } | { valid: true; step: number };

/**
 * Checks `token` at `epochSeconds` with `window` steps either side (t−n … t+n). Anything that is
 * not exactly `digits` digits is simply invalid (otplib would throw on it).
 */
export async function checkTotp(
  secret: string | Uint8Array,
  p: TotpParams,
  token: string,
  window: number,
  epochSeconds = Math.floor(Date.now() / 1000),
): Promise<TotpCheck> {
  if (!new RegExp(`^\\d{${p.digits}}$`).test(token)) return { valid: false };
  try {
    const result = await verify({
      secret,
      token,
      digits: p.digits,
      period: p.periodSeconds,
      algorithm: ALGORITHM[p.algorithm],
      epoch: epochSeconds,
      epochTolerance: window * p.periodSeconds,
    });
    if (!result.valid) return { valid: false };
    // A TOTP result carries its time step (the HOTP one of the union does not).
    const step =
      'timeStep' in result
        ? result.timeStep
        : Math.floor(epochSeconds / p.periodSeconds) + result.delta;
    return { valid: true, step };
  } catch {
    return { valid: false };
  }
}
