import { raw, Sql } from 'sql-template-tag';
import type { TwoFactorSettings } from './tenant-settings.service';

/** The 2FA settings as another module's hot-path statement selects them (alias of tenant_2fa_settings). */
export function settingsColumns(alias: string): Sql {
  return raw(
    [
      'enabled',
      'channel_id',
      'otp_length',
      'otp_ttl_seconds',
      'resend_cooldown_seconds',
      'max_attempts',
      'max_resends_per_login',
      'lockout_max_failures',
      'lockout_duration_seconds',
      'recovery_codes_enabled',
      'remember_device_enabled',
      'remember_device_days',
      'updated_at',
    ]
      .map((c) => `${alias}.${c} AS settings_${c}`)
      .join(', '),
  );
}

export interface SettingsRow {
  settings_enabled: boolean;
  settings_channel_id: string | null;
  settings_otp_length: number;
  settings_otp_ttl_seconds: number;
  settings_resend_cooldown_seconds: number;
  settings_max_attempts: number;
  settings_max_resends_per_login: number;
  settings_lockout_max_failures: number;
  settings_lockout_duration_seconds: number;
  settings_recovery_codes_enabled: boolean;
  settings_remember_device_enabled: boolean;
  settings_remember_device_days: number;
  settings_updated_at: Date;
}

export function settingsFromRow(r: SettingsRow): TwoFactorSettings {
  return {
    enabled: r.settings_enabled,
    channelId: r.settings_channel_id,
    otp: {
      length: r.settings_otp_length,
      ttlSeconds: r.settings_otp_ttl_seconds,
      resendCooldownSeconds: r.settings_resend_cooldown_seconds,
      maxAttempts: r.settings_max_attempts,
      maxResendsPerLogin: r.settings_max_resends_per_login,
    },
    lockout: {
      maxConsecutiveFailures: r.settings_lockout_max_failures,
      durationSeconds: r.settings_lockout_duration_seconds,
    },
    recoveryCodes: { enabled: r.settings_recovery_codes_enabled },
    rememberDevice: {
      enabled: r.settings_remember_device_enabled,
      days: r.settings_remember_device_days,
    },
    updatedAt: r.settings_updated_at,
  };
}
