import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { mailConfig } from '../../config/app-config';
import { Public } from '../common/auth/auth.decorators';
import { AppException } from '../common/errors/app.exception';
import { loadUiAssets, UiAsset } from './ui-assets';

/**
 * The reference sign-in page (/), the account page (/account) and admin console (/admin); UI_ENABLED loads this module. Their
 * Content-Security-Policy (this origin only, nothing inline) is set with the others in
 * configure-http.ts.
 */
@ApiExcludeController()
@Controller()
export class UiController {
  private readonly assets = loadUiAssets();

  constructor(@Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>) {}

  @Get()
  @Public()
  signIn(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html', this.mail.devInbox);
  }

  @Get('admin')
  @Public()
  admin(@Res() reply: FastifyReply): void {
    this.send(reply, 'admin.html');
  }

  /** The signed-in user's own page: 2FA, recovery codes, devices (API.md v1.1 §6-§8). */
  @Get('account')
  @Public()
  account(@Res() reply: FastifyReply): void {
    this.send(reply, 'account.html');
  }

  @Get('ui/:file')
  @Public()
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.send(reply, file);
  }

  @Get('ui/admin/:file')
  @Public()
  adminAsset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.send(reply, `admin/${file}`);
  }

  /**
   * `devInbox`: the sign-in page learns that the development inbox is on from its markup, and
   * only then asks /dev/inbox.json (never in production, where the route does not exist).
   */
  private send(reply: FastifyReply, name: string, devInbox = false): void {
    const asset: UiAsset | undefined = this.assets.get(name);
    if (!asset) throw AppException.notFound();
    const body = devInbox
      ? Buffer.from(
          asset.body
            .toString('utf8')
            .replace('<p id="dev-inbox">', '<p id="dev-inbox" data-on="">'),
        )
      : asset.body;
    void reply
      .header('Content-Type', asset.contentType)
      // Small files, changed by a deploy: always revalidated, never stale.
      .header('Cache-Control', 'no-cache')
      .send(body);
  }
}
