import { Injectable } from '@nestjs/common';
import { generateSecret } from 'otplib';
import * as QRCode from 'qrcode';
import { AppChannelProvider, Enrollment, ResolvedChannel } from '../channel-provider';
import { AuthenticatorChannelConfigDto } from './authenticator-channel.dto';
import { checkTotp, TotpAlgorithm, TotpParams } from './totp';

function paramsOf(p: Record<string, string | number>): TotpParams {
  return {
    digits: Number(p.digits),
    periodSeconds: Number(p.periodSeconds),
    algorithm: String(p.algorithm) as TotpAlgorithm,
  };
}

/**
 * Authenticator apps (Google Authenticator, Microsoft Authenticator, 1Password, FreeOTP, …):
 * RFC 6238 TOTP. A registration keeps the digits, period and algorithm it was enrolled with; the
 * window is the channel's current one.
 */
@Injectable()
export class AuthenticatorChannelProvider extends AppChannelProvider {
  readonly type = 'authenticator';
  readonly configDto = AuthenticatorChannelConfigDto;
  readonly secretFields = [] as const;

  async enroll(
    channel: ResolvedChannel,
    account: { username: string; tenantName: string },
  ): Promise<Enrollment> {
    // 20 random bytes: RFC 4226's recommended 160 bits.
    const secret = generateSecret({ length: 20 });
    const c = channel.config;
    const params = {
      digits: Number(c.digits),
      periodSeconds: Number(c.periodSeconds),
      algorithm: String(c.algorithm),
    };
    const issuer = String(c.issuer || account.tenantName);
    const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account.username)}`;
    const query = [
      `secret=${secret}`,
      `issuer=${encodeURIComponent(issuer)}`,
      `algorithm=${params.algorithm}`,
      `digits=${params.digits}`,
      `period=${params.periodSeconds}`,
    ].join('&');
    const otpauthUri = `otpauth://totp/${label}?${query}`;
    const qrCodeDataUrl = await QRCode.toDataURL(otpauthUri, {
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return { secret, params, otpauthUri, qrCodeDataUrl };
  }

  async check(
    secret: string,
    params: Record<string, string | number>,
    code: string,
    channel: ResolvedChannel,
  ): Promise<number | null> {
    const result = await checkTotp(
      secret,
      paramsOf(params),
      code,
      Number(channel.config.window ?? 1),
    );
    return result.valid ? result.step : null;
  }
}
