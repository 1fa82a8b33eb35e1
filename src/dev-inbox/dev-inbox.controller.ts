import { Controller, Get, Header, Ip, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { AppException } from '../common/errors/app.exception';
import { renderInboxPage } from './dev-inbox.page';
import { DevInboxService, InboxMail } from './dev-inbox.service';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Development only (the module is not loaded in production): not part of the API contract. */
@ApiExcludeController()
@Controller('dev')
export class DevInboxController {
  constructor(private readonly inbox: DevInboxService) {}

  @Get('inbox')
  @Public()
  @Header('Cache-Control', 'no-store')
  page(@Ip() ip: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const mails = this.mails(ip);
    // Set here, not by @Header: a 404 must stay a JSON error body.
    void reply.type('text/html; charset=utf-8');
    return renderInboxPage(mails, this.inbox.smtpPort);
  }

  @Get('inbox.json')
  @Public()
  @Header('Cache-Control', 'no-store')
  json(@Ip() ip: string): { items: InboxMail[] } {
    return { items: this.mails(ip) };
  }

  /**
   * Without a running inbox (turned off, or its port was taken) there is nothing to show; and the
   * mails hold live codes, so only this machine may read them (the service listens on 0.0.0.0).
   */
  private mails(ip: string): InboxMail[] {
    if (!this.inbox.running || !LOOPBACK.has(ip)) throw AppException.notFound();
    return this.inbox.list();
  }
}
