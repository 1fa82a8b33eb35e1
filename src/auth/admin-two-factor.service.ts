import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta } from '../common/http/request-context';
import { RecoveryCodesService } from '../otp/recovery-codes.service';
import { TwoFactorStateService } from '../otp/two-factor-state.service';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import { UsersService } from '../users/users.service';
import { SessionsService } from '../sessions/sessions.service';

/** The admin's 2FA reset and unlock (they call users and otp). */
@Injectable()
export class AdminTwoFactorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly registrations: TwoFactorRegistrationsService,
    private readonly state: TwoFactorStateService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  /**
   * Removes the registrations, the lock and the recovery codes (v1.1 §6); sign-ins begun and
   * sessions opened before end.
   */
  async reset(tenantId: string, userId: string, meta: RequestMeta): Promise<void> {
    await this.requireUser(tenantId, userId);
    await this.dataSource.transaction(async (m) => {
      const channelTypes = await this.registrations.removeAll(tenantId, userId, m);
      await this.state.reset(tenantId, userId, m);
      await this.recoveryCodes.voidAll(tenantId, userId, m);
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.TWO_FACTOR_RESET,
          userId,
          ...auditedBy(meta),
          data: { channelTypes },
        },
        m,
      );
      await this.sessions.revokeAllOfUser(tenantId, userId, 'two_factor_reset', auditedBy(meta), m);
    });
  }

  async unlock(tenantId: string, userId: string, meta: RequestMeta): Promise<void> {
    await this.requireUser(tenantId, userId);
    await this.dataSource.transaction(async (m) => {
      const cleared = await this.state.unlock(tenantId, userId, m);
      await this.audit.record(
        tenantId,
        { type: AuditEventType.TWO_FACTOR_UNLOCKED, userId, ...auditedBy(meta), data: { cleared } },
        m,
      );
    });
  }

  private async requireUser(tenantId: string, userId: string): Promise<void> {
    if (!(await this.users.findById(tenantId, userId)))
      throw AppException.notFound('No such user in this tenant.');
  }
}
