import type { DataSourceOptions } from 'typeorm';
import { QueryCountingLogger } from './query-counting.logger';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { MfaSession } from '../auth/entities/mfa-session.entity';
import { Channel } from '../channels/entities/channel.entity';
import { OtpChallenge } from '../otp/entities/otp-challenge.entity';
import { TwoFactorState } from '../otp/entities/two-factor-state.entity';
import { RecoveryCode } from '../otp/entities/recovery-code.entity';
import { UserTwoFactor } from '../users/entities/user-two-factor.entity';
import { TenantTwoFactorSettings } from '../tenants/entities/tenant-2fa-settings.entity';
import { Tenant } from '../tenants/entities/tenant.entity';
import { User } from '../users/entities/user.entity';
import { RefreshToken } from '../sessions/entities/refresh-token.entity';
import { Session } from '../sessions/entities/session.entity';
import { WebhookDelivery } from '../webhooks/entities/webhook-delivery.entity';
import { Webhook } from '../webhooks/entities/webhook.entity';

export const ENTITIES = [
  Tenant,
  TenantTwoFactorSettings,
  User,
  UserTwoFactor,
  AuditEvent,
  Channel,
  OtpChallenge,
  TwoFactorState,
  RecoveryCode,
  MfaSession,
  Session,
  RefreshToken,
  Webhook,
  WebhookDelivery,
];

/** The one definition of the database options, shared by the app and the TypeORM CLI. */
export function buildTypeOrmOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    // Schema changes only through migrations/.
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built in since PostgreSQL 13; uuid-ossp would need a superuser.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    logger: new QueryCountingLogger(),
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'efcx-2fa',
    },
  };
}
