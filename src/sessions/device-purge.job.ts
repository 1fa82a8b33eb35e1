import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { otpConfig } from '../../config/app-config';
import { ADVISORY_LOCKS } from '../database/advisory-lock';
import { ExpiredRowsPurgeJob } from '../database/locked-job';

/**
 * Devices that ended go OTP_RETENTION_SECONDS after their end: revoked ones, and ones neither
 * used nor remembered for 90 days (the longest a tenant may remember one). Their history stays in
 * the audit log.
 */
const DEVICE_BATCH = `DELETE FROM devices WHERE id IN (
  SELECT id FROM devices
   WHERE revoked_at < now() - make_interval(secs => $1)
      OR (last_used_at < now() - make_interval(days => 90, secs => $1)
          AND (remembered_until IS NULL OR remembered_until < now() - make_interval(secs => $1)))
   LIMIT $2)`;

@Injectable()
export class DevicePurgeJob extends ExpiredRowsPurgeJob {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(otpConfig.KEY) cfg: ConfigType<typeof otpConfig>,
  ) {
    super('DevicePurge', dataSource, ADVISORY_LOCKS.devicePurge, DEVICE_BATCH, cfg);
  }
}
