import { Body, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { TenantAdminController } from '../common/auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { BODY_ERRORS } from '../common/http/api-errors.decorator';
import { ApiRoute } from '../common/http/api-route.decorator';
import { CurrentTenant, Meta, RequestMeta, ResolvedTenant } from '../common/http/request-context';
import {
  EmailTemplateListDto,
  EmailTemplateResponseDto,
  PreviewEmailTemplateDto,
  PutEmailTemplateDto,
  RenderedEmailDto,
} from './dto/email-template.dto';
import { EmailTemplatesService } from './email-templates.service';
import { TEMPLATE_KINDS } from './template-kinds';

const KIND = ApiParam({ name: 'kind', enum: TEMPLATE_KINDS });
const LOCALE = ApiParam({ name: 'locale', description: 'BCP 47 (`de`, `pt-BR`)' });

@TenantAdminController('email templates', 'email-templates')
export class EmailTemplatesController {
  constructor(private readonly templates: EmailTemplatesService) {}

  @Get()
  @ApiRoute({
    summary: 'Every kind in every built-in locale, and the tenant’s own locales',
    ok: EmailTemplateListDto,
  })
  list(@CurrentTenant() tenant: ResolvedTenant) {
    return this.templates.list(tenant.id);
  }

  @Get(':kind/:locale')
  @KIND
  @LOCALE
  @ApiRoute({
    summary: 'The template in force for this kind and locale',
    ok: EmailTemplateResponseDto,
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  get(
    @CurrentTenant() tenant: ResolvedTenant,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
  ) {
    return this.templates.get(tenant.id, kind, locale);
  }

  @Put(':kind/:locale')
  @KIND
  @LOCALE
  @ApiRoute({
    summary: 'Set the tenant’s own template (plain {{variables}} only, ≤ 32 kB each)',
    ok: EmailTemplateResponseDto,
    errors: [...BODY_ERRORS, ErrorCode.CONFLICT],
  })
  put(
    @CurrentTenant() tenant: ResolvedTenant,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @Body() dto: PutEmailTemplateDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.templates.put(tenant.id, kind, locale, dto, meta);
  }

  @Delete(':kind/:locale')
  @HttpCode(204)
  @KIND
  @LOCALE
  @ApiRoute({
    summary: 'Back to the built-in template (404 when there is no own one)',
    errors: [ErrorCode.VALIDATION_FAILED],
  })
  async remove(
    @CurrentTenant() tenant: ResolvedTenant,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.templates.remove(tenant.id, kind, locale, meta);
  }

  @Post(':kind/:locale/preview')
  @HttpCode(200)
  @KIND
  @LOCALE
  @ApiRoute({
    summary: 'Render with sample values: the template in force, or an unsaved one in the body',
    ok: RenderedEmailDto,
    errors: [...BODY_ERRORS],
  })
  preview(
    @CurrentTenant() tenant: ResolvedTenant,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @Body() dto: PreviewEmailTemplateDto,
  ) {
    return this.templates.preview(tenant, kind, locale, dto);
  }
}
