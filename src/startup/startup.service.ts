import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bootstrapConfig, databaseConfig } from '../../config/app-config';
import { ADVISORY_LOCKS, withAdvisoryLock } from '../database/advisory-lock';
import { TenantsService } from '../tenants/tenants.service';

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
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
    @Inject(bootstrapConfig.KEY) private readonly bootstrap: ConfigType<typeof bootstrapConfig>,
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
    await this.tenants.create(
      { slug: tenant, name: tenant, admin: { username: adminUsername, password: adminPassword } },
      {
        requestId: 'bootstrap',
        ip: '127.0.0.1',
        userAgent: null,
        actor: { type: 'platform', id: null },
      },
    );
    this.logger.log(`created tenant "${tenant}" with admin user "${adminUsername}"`);
  }
}
