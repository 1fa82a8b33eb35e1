import { ExtractJwt, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { SigningKeys } from '../signing-keys.service';
import { keyProviderFor } from './token-header';

export const unauthenticated = () => new AppException(ErrorCode.UNAUTHENTICATED);

/** passport-jwt's options for one type of our bearer tokens, issued by us for `audience`. */
export function bearerTokenOptions(
  typ: string,
  keys: SigningKeys,
  { issuer, audience }: { issuer: string; audience: string },
): StrategyOptionsWithoutRequest {
  return {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    issuer,
    audience,
    // Asymmetric only: a token "signed" with HS256 and the public key, or alg none, is refused.
    algorithms: ['ES256', 'RS256'],
    secretOrKeyProvider: keyProviderFor(typ, keys, unauthenticated),
  };
}

interface UserVersions {
  passwordVersion: number;
  twoFactorVersion: number;
}

/**
 * The user still exists, is enabled, and neither their password nor their 2FA registration
 * changed since the token (or its sign-in) pinned their versions.
 */
export function isUnchangedSince<U extends UserVersions & { disabled: boolean }>(
  user: U | null | undefined,
  pinned: UserVersions,
): user is U {
  return (
    !!user &&
    !user.disabled &&
    user.passwordVersion === pinned.passwordVersion &&
    user.twoFactorVersion === pinned.twoFactorVersion
  );
}
