import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '../audit/audit-event-type';
import { auditedBy, AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app.exception';
import { RequestMeta, ResolvedTenant } from '../common/http/request-context';
import { canonicalLocale } from '../common/validation/locale';
import { requireTenant } from '../database/query-guards';
import { builtInTemplate } from './built-in-templates';
import {
  EmailTemplateItemDto,
  EmailTemplateListDto,
  EmailTemplateResponseDto,
  PreviewEmailTemplateDto,
  PutEmailTemplateDto,
} from './dto/email-template.dto';
import { EmailTemplate } from './entities/email-template.entity';
import { MailFacts, MailRenderer } from './mail-renderer.service';
import { checkTemplate } from './template-engine';
import {
  BUILT_IN_LOCALES,
  EmailTemplateBody,
  isTemplateKind,
  RenderedEmail,
  TEMPLATE_KINDS,
  TemplateKind,
} from './template-kinds';

/** What a preview fills in: plausible, and obviously not real. */
const SAMPLE: Omit<MailFacts, 'tenantName'> = {
  code: '123456',
  expiresInSeconds: 300,
  username: 'jane.doe',
  displayName: 'Jane Doe',
  ip: '203.0.113.7',
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  remaining: 9,
};

/**
 * A tenant's own templates at most (4 kinds in 15 locales): a send reads all of a tenant's
 * templates into memory, so their number is bounded like their size.
 */
export const MAX_TEMPLATES_PER_TENANT = 60;

/** The kind and locale of a path, checked: unknown kind 404, a locale that is no BCP 47 tag 400. */
export function templateKey(kind: string, locale: string): { kind: TemplateKind; locale: string } {
  if (!isTemplateKind(kind)) throw AppException.notFound('No such kind of email template.');
  const canonical = canonicalLocale(locale);
  if (!canonical)
    throw AppException.validation([
      { field: 'locale', message: 'locale must be a BCP 47 language tag such as "de" or "pt-BR"' },
    ]);
  return { kind, locale: canonical };
}

/** Tenant admin: a tenant's email templates (API.md v1.1 §11). */
@Injectable()
export class EmailTemplatesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly renderer: MailRenderer,
  ) {}

  /** Every kind in every built-in locale, and the tenant's other locales, kind then locale. */
  async list(tenantId: string): Promise<EmailTemplateListDto> {
    requireTenant(tenantId);
    const rows = await this.dataSource
      .getRepository(EmailTemplate)
      .find({ where: { tenantId }, select: { kind: true, locale: true, updatedAt: true } });
    const custom = new Map(rows.map((r) => [`${r.kind}/${r.locale}`, r.updatedAt]));
    const locales = [
      ...BUILT_IN_LOCALES,
      ...[...new Set(rows.map((r) => r.locale))]
        .filter((l) => !(BUILT_IN_LOCALES as readonly string[]).includes(l))
        .sort(),
    ];
    const items: EmailTemplateItemDto[] = [];
    for (const kind of TEMPLATE_KINDS)
      for (const locale of locales) {
        const updatedAt = custom.get(`${kind}/${locale}`);
        if (updatedAt || builtInTemplate(kind, locale))
          items.push({
            kind,
            locale,
            custom: updatedAt !== undefined,
            updatedAt: updatedAt?.toISOString() ?? null,
          });
      }
    return { items };
  }

  /** The template in force for exactly this kind and locale: the tenant's, else the built-in. */
  async get(tenantId: string, kind: string, locale: string): Promise<EmailTemplateResponseDto> {
    const key = templateKey(kind, locale);
    const own = await this.find(tenantId, key.kind, key.locale);
    if (own) return viewOf(own);
    const builtIn = builtInTemplate(key.kind, key.locale);
    if (!builtIn) throw AppException.notFound('No template for this kind and locale.');
    return { ...key, custom: false, updatedAt: null, ...builtIn };
  }

  async put(
    tenantId: string,
    kind: string,
    locale: string,
    dto: PutEmailTemplateDto,
    meta: RequestMeta,
  ): Promise<EmailTemplateResponseDto> {
    requireTenant(tenantId);
    const key = templateKey(kind, locale);
    const body = { subject: dto.subject, text: dto.text, html: dto.html ?? null };
    const problems = checkTemplate(key.kind, body);
    if (problems.length) throw AppException.validation(problems);
    const saved = await this.dataSource.transaction(async (m) => {
      // One writer per tenant at a time, so the count below is exact under parallel PUTs.
      const [{ count }] = (await m.query(
        `WITH lock AS (SELECT pg_advisory_xact_lock(hashtextextended($1, 0)))
         SELECT count(*)::int AS count FROM email_templates, lock
          WHERE tenant_id = $2 AND NOT (kind = $3 AND locale = $4)`,
        [`email_templates:${tenantId}`, tenantId, key.kind, key.locale],
      )) as Array<{ count: number }>;
      if (count >= MAX_TEMPLATES_PER_TENANT)
        throw AppException.conflict(
          `A tenant has at most ${MAX_TEMPLATES_PER_TENANT} templates of its own: delete one first.`,
        );
      const [row] = (await m.query(
        `INSERT INTO email_templates (tenant_id, kind, locale, subject, text, html)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, kind, locale) DO UPDATE
           SET subject = EXCLUDED.subject, text = EXCLUDED.text, html = EXCLUDED.html,
               updated_at = now()
         RETURNING kind, locale, subject, text, html, updated_at AS "updatedAt"`,
        [tenantId, key.kind, key.locale, body.subject, body.text, body.html],
      )) as EmailTemplate[];
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.TEMPLATE_CHANGED,
          ...auditedBy(meta),
          data: { ...key, action: 'saved' },
        },
        m,
      );
      return viewOf(row);
    });
    this.renderer.forget(tenantId);
    return saved;
  }

  /** Back to the built-in one; 404 when the tenant has no template of its own there. */
  async remove(tenantId: string, kind: string, locale: string, meta: RequestMeta): Promise<void> {
    requireTenant(tenantId);
    const key = templateKey(kind, locale);
    await this.dataSource.transaction(async (m) => {
      const [, deleted] = (await m.query(
        `DELETE FROM email_templates WHERE tenant_id = $1 AND kind = $2 AND locale = $3`,
        [tenantId, key.kind, key.locale],
      )) as [unknown, number];
      if (!deleted) throw AppException.notFound('This tenant has no template of its own here.');
      await this.audit.record(
        tenantId,
        {
          type: AuditEventType.TEMPLATE_CHANGED,
          ...auditedBy(meta),
          data: { ...key, action: 'deleted' },
        },
        m,
      );
    });
    this.renderer.forget(tenantId);
  }

  /**
   * The template in force (or the unsaved one of the body, checked as a PUT would) rendered with
   * sample values and the tenant's name.
   */
  async preview(
    tenant: ResolvedTenant,
    kind: string,
    locale: string,
    dto: PreviewEmailTemplateDto,
  ): Promise<RenderedEmail> {
    const key = templateKey(kind, locale);
    let template: EmailTemplateBody;
    if (dto.subject !== undefined || dto.text !== undefined || dto.html !== undefined) {
      if (dto.subject === undefined || dto.text === undefined)
        throw AppException.validation([
          {
            field: dto.subject === undefined ? 'subject' : 'text',
            message: 'an unsaved template needs subject and text',
          },
        ]);
      template = { subject: dto.subject, text: dto.text, html: dto.html ?? null };
      const problems = checkTemplate(key.kind, template);
      if (problems.length) throw AppException.validation(problems);
    } else {
      template = await this.get(tenant.id, key.kind, key.locale);
    }
    return this.renderer.renderIn(key.kind, key.locale, template, {
      ...SAMPLE,
      tenantName: tenant.name,
    });
  }

  private async find(
    tenantId: string,
    kind: TemplateKind,
    locale: string,
  ): Promise<EmailTemplate | null> {
    requireTenant(tenantId);
    return this.dataSource.getRepository(EmailTemplate).findOneBy({ tenantId, kind, locale });
  }
}

function viewOf(
  t: Pick<EmailTemplate, 'kind' | 'locale' | 'subject' | 'text' | 'html' | 'updatedAt'>,
): EmailTemplateResponseDto {
  return {
    kind: t.kind as TemplateKind,
    locale: t.locale,
    custom: true,
    updatedAt: t.updatedAt.toISOString(),
    subject: t.subject,
    text: t.text,
    html: t.html,
  };
}
