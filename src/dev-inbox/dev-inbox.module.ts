import { Module } from '@nestjs/common';
import { DevInboxController } from './dev-inbox.controller';
import { DevInboxService } from './dev-inbox.service';

/** The development mail inbox; AppModule leaves it out in production. */
@Module({
  controllers: [DevInboxController],
  providers: [DevInboxService],
  exports: [DevInboxService],
})
export class DevInboxModule {}
