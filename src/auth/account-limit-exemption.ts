import { Injectable } from '@nestjs/common';
import { RequestMeta } from '../common/http/request-context';
import { RememberedDevices } from '../sessions/remembered-devices.service';

/** A login attempt as the account limit sees it (the username already prepared, RFC 8265). */
export interface LoginAttempt {
  tenantSlug: string;
  username: string;
  meta: RequestMeta;
  /** The login body's `deviceToken` (v1.1 §7). */
  deviceToken?: string;
}

/**
 * Which logins the per-account failure limit (v1.1 §9, THROTTLE_ACCOUNT_FAILURES_PER_HOUR) lets
 * through while the account is throttled: a login that carries a valid `deviceToken` of that user,
 * remembered or not, so the owner's browser still gets in while someone guesses the password
 * elsewhere (OWASP "device cookies"). An exempt login is still counted when its password is wrong.
 */
export abstract class AccountLimitExemption {
  abstract appliesTo(attempt: LoginAttempt): Promise<boolean>;
}

/** The token is a live (unrevoked) device of that tenant and username. */
@Injectable()
export class DeviceTokenExemption extends AccountLimitExemption {
  constructor(private readonly devices: RememberedDevices) {
    super();
  }

  appliesTo({ tenantSlug, username, deviceToken }: LoginAttempt): Promise<boolean> {
    if (!deviceToken) return Promise.resolve(false);
    return this.devices.belongsTo(tenantSlug, username, deviceToken);
  }
}
