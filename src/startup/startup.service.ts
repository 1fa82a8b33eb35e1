import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bootstrapConfig, databaseConfig, mailConfig } from '../../config/app-config';
import { ChannelAdminService } from '../channels/channel-admin.service';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta } from '../common/http/request-context';
import { ADVISORY_LOCKS, withAdvisoryLock } from '../database/advisory-lock';
import { TenantSettingsService } from '../tenants/tenant-settings.service';
import { TenantsService } from '../tenants/tenants.service';

const BOOTSTRAP_META: RequestMeta = {
  requestId: 'bootstrap',
  ip: '127.0.0.1',
  userAgent: null,
  actor: { type: 'platform', id: null },
};

/**
 * Pending migrations, then (on an empty database) the BOOTSTRAP_* tenant and admin, all under one
 * advisory lock so instances that start together do each exactly once.
 */
@Injectable()
export class StartupService {
  private readonly logger = new Logger('Startup');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly channels: ChannelAdminService,
    private readonly settings: TenantSettingsService,
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
    @Inject(bootstrapConfig.KEY) private readonly bootstrap: ConfigType<typeof bootstrapConfig>,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
  ) {}

  async run(): Promise<void> {
    await withAdvisoryLock(this.dataSource, ADVISORY_LOCKS.startup, async () => {
      if (this.db.migrateOnStart) {
        const applied = await this.dataSource.runMigrations({ transaction: 'each' });
        if (applied.length) this.logger.log(`applied ${applied.length} migration(s)`);
      }
      await this.bootstrapTenant();
    });
  }

  private async bootstrapTenant(): Promise<void> {
    const { tenant, adminUsername, adminPassword } = this.bootstrap;
    if (!tenant || !adminPassword || !(await this.tenants.isEmpty())) return;
    const created = await this.tenants.create(
      { slug: tenant, name: tenant, admin: { username: adminUsername, password: adminPassword } },
      BOOTSTRAP_META,
    );
    this.logger.log(`created tenant "${tenant}" with admin user "${adminUsername}"`);
    if (this.mail.devInbox) await this.useDevInbox(created.id, tenant);
  }

  /** Development: 2FA on, by email to the development inbox, so the whole flow works locally. */
  private async useDevInbox(tenantId: string, slug: string): Promise<void> {
    const port = this.mail.devMailPort;
    try {
      const channel = await this.channels.create(
        tenantId,
        {
          type: 'email',
          name: 'Development inbox',
          enabled: true,
          config: { host: '127.0.0.1', port, tls: 'none', from: 'EFCX <no-reply@efcx.local>' },
        },
        BOOTSTRAP_META,
      );
      await this.settings.put(tenantId, { enabled: true, channelId: channel.id }, BOOTSTRAP_META);
      this.logger.log(
        `tenant "${slug}": 2FA by email to the development inbox (127.0.0.1:${port})`,
      );
    } catch (e) {
      // e.g. CHANNEL_ALLOWED_HOSTS without 127.0.0.1: the tenant stays usable, without 2FA.
      if (!(e instanceof AppException)) throw e;
      const why = e.details?.map((d) => d.message).join('; ') ?? e.message;
      this.logger.warn(`tenant "${slug}": 2FA not turned on for the development inbox: ${why}`);
    }
  }
}
