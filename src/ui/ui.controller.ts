import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
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

  @Get()
  @Public()
  signIn(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
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

  private send(reply: FastifyReply, name: string): void {
    const asset: UiAsset | undefined = this.assets.get(name);
    if (!asset) throw AppException.notFound();
    void reply
      .header('Content-Type', asset.contentType)
      // Small files, changed by a deploy: always revalidated, never stale.
      .header('Cache-Control', 'no-cache')
      .send(asset.body);
  }
}
