import { Injectable } from '@nestjs/common';
import { RequestMeta } from '../common/http/request-context';

/** The mail that tells a user a recovery code of theirs was used (API.md v1.1 §6). */
@Injectable()
export class RecoveryNotices {
  /** Sent after the answer, never failing it. */
  recoveryCodeUsed(
    _tenantId: string,
    _userId: string,
    _remaining: number,
    _meta: RequestMeta,
  ): void {
    // Filled in with the email channel's notice mail.
  }
}
