import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { EmailTemplatesController } from './email-templates.controller';
import { EmailTemplatesService } from './email-templates.service';
import { EmailTemplate } from './entities/email-template.entity';
import { MailRenderer } from './mail-renderer.service';

/**
 * The words of every mail: built-in templates per locale, a tenant's own ones, the choice of a
 * mail's locale and the rendering. Channels ask it for a mail; it sends nothing itself.
 */
@Module({
  imports: [TypeOrmModule.forFeature([EmailTemplate]), AuditModule],
  controllers: [EmailTemplatesController],
  providers: [EmailTemplatesService, MailRenderer],
  exports: [MailRenderer],
})
export class MessagesModule {}
