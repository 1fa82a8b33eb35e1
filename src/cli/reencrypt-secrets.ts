/**
 * `npm run secrets:reencrypt` (built: `node dist/src/cli/reencrypt-secrets.js`): after a
 * DATA_ENCRYPTION_KEY rotation, re-seals every stored secret under the new key.
 *
 * Rotation: set the new key as DATA_ENCRYPTION_KEY and the old one in
 * DATA_ENCRYPTION_KEYS_PREVIOUS on every instance (they read both), run this once against
 * DATABASE_URL, then drop the old key. Safe while the service runs; running it twice rewrites
 * nothing the second time. Every secret of the configuration must be set (as in production).
 */
import { NestFactory } from '@nestjs/core';
import {
  ConfigValidationError,
  buildAppConfig,
  validateEnvironment,
} from '../../config/environment';
import { AppModule } from '../app.module';
import { WebhooksService } from '../webhooks/webhooks.service';
import { PendingSignInsService } from '../auth/pending-sign-ins.service';
import { ChannelsService } from '../channels/channels.service';
import { TwoFactorRegistrationsService } from '../users/two-factor-registrations.service';
import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';

export interface ResealCounts {
  channels: number;
  twoFactorRegistrations: number;
  mfaSessions: number;
  webhooks: number;
}

/** Re-seals every module's secrets; each module knows its own tables and contexts. */
export async function reencryptSecrets(app: INestApplicationContext): Promise<ResealCounts> {
  return {
    channels: await app.get(ChannelsService, { strict: false }).resealSecrets(),
    twoFactorRegistrations: await app
      .get(TwoFactorRegistrationsService, { strict: false })
      .resealSecrets(),
    mfaSessions: await app.get(PendingSignInsService, { strict: false }).resealSecrets(),
    webhooks: await app.get(WebhooksService, { strict: false }).resealSecrets(),
  };
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = buildAppConfig(validateEnvironment(process.env));
  } catch (e) {
    const message = e instanceof ConfigValidationError ? e.message : String(e);
    process.stderr.write(`secrets:reencrypt: ${message}\n`);
    process.exit(1);
  }
  if (!config.database.url) {
    process.stderr.write('secrets:reencrypt: set DATABASE_URL\n');
    process.exit(1);
  }
  config.mail.devInbox = false;
  config.bootstrap.tenant = undefined;
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: false,
  });
  try {
    const counts = await reencryptSecrets(app);
    process.stdout.write(`re-sealed under the current key: ${JSON.stringify(counts)}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) void main();
