import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { cryptoConfig } from '../../../config/app-config';
import { SecretBox } from './secret-box';

/** One SecretBox (DATA_ENCRYPTION_KEY, with the previous keys) for every module's secrets at rest. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [cryptoConfig.KEY],
      useFactory: (c: ConfigType<typeof cryptoConfig>) =>
        new SecretBox(c.dataEncryptionKey, c.previousDataEncryptionKeys),
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
