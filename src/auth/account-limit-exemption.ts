import { Injectable } from '@nestjs/common';
import { RequestMeta } from '../common/http/request-context';

/** A login attempt as the account limit sees it (the username already prepared, RFC 8265). */
export interface LoginAttempt {
  tenantSlug: string;
  username: string;
  meta: RequestMeta;
  /** The login body's `deviceToken`, once remembered devices exist (v1.1 §7). */
  deviceToken?: string;
}

/**
 * Which logins the per-account failure limit (v1.1 §9, THROTTLE_ACCOUNT_FAILURES_PER_HOUR) lets
 * through while the account is throttled. The spec exempts a login that carries a valid
 * `deviceToken` of that user, remembered or not, so the owner's browser still gets in while
 * someone guesses the password elsewhere (OWASP "device cookies"). Device tokens do not exist
 * yet: the devices module will provide an implementation of this class that checks the token
 * against the user (`{ provide: AccountLimitExemption, useClass: DeviceTokenExemption }` in
 * AuthModule). An exempt login is still counted when its password is wrong.
 */
export abstract class AccountLimitExemption {
  abstract appliesTo(attempt: LoginAttempt): Promise<boolean>;
}

/** Until device tokens exist: nothing is exempt. */
@Injectable()
export class NoAccountLimitExemption extends AccountLimitExemption {
  appliesTo(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
