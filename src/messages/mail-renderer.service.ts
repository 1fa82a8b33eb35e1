import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sql from 'sql-template-tag';
import { DataSource } from 'typeorm';
import { runPrepared } from '../database/prepared-statement';
import { requireTenant } from '../database/query-guards';
import { describeBrowser, minutesLeft } from './browser-summary';
import { browserWordsFor, builtInTemplate } from './built-in-templates';
import { chooseLocale, LocalePreference } from './locale-choice';
import { emailLayout } from './templates/layout';
import { renderTemplate } from './template-engine';
import {
  BUILT_IN_LOCALES,
  EmailTemplateBody,
  RenderedEmail,
  TemplateKind,
  TemplateValues,
} from './template-kinds';

/** What a mail is about, before it is put into words (the raw facts; never stored). */
export interface MailFacts {
  tenantName: string;
  username?: string;
  displayName?: string | null;
  code?: string;
  /** Seconds the code still lives. */
  expiresInSeconds?: number;
  ip?: string;
  /** Summarised, never shown raw (API.md v1.1 §5). */
  userAgent?: string | null;
  remaining?: number;
}

export interface CustomTemplateRow extends EmailTemplateBody {
  kind: TemplateKind;
  locale: string;
}

/**
 * How long an instance keeps a tenant's own templates: a change made through this instance is
 * seen at once (the entry is dropped), through another one within this time.
 */
export const TEMPLATE_CACHE_MS = 30_000;
/** Tenants whose templates are kept at once (oldest dropped first). */
const TEMPLATE_CACHE_TENANTS = 10_000;

interface CacheEntry {
  rows: CustomTemplateRow[];
  until: number;
}

/**
 * Puts a mail into words: picks its locale (user's, language, tenant default, en), takes the
 * tenant's template for that locale or the built-in one, and renders it. The built-ins are in
 * memory; a tenant's own templates are one indexed statement, kept TEMPLATE_CACHE_MS, so a login's
 * code mail usually costs no statement at all.
 */
@Injectable()
export class MailRenderer {
  private readonly logger = new Logger('MailRenderer');
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped by forget(): a read that began before a change never caches what it read. */
  private readonly generations = new Map<string, number>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A tenant's templates changed (after the commit): the next mail reads them again. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
    this.generations.set(tenantId, (this.generations.get(tenantId) ?? 0) + 1);
  }

  private async customOf(tenantId: string): Promise<CustomTemplateRow[]> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.rows;
    const generation = this.generations.get(tenantId) ?? 0;
    const rows = await runPrepared<CustomTemplateRow>(
      this.dataSource,
      sql`SELECT kind, locale, subject, text, html FROM email_templates
           WHERE tenant_id = ${tenantId}::uuid`,
    );
    if ((this.generations.get(tenantId) ?? 0) === generation) {
      this.cache.delete(tenantId);
      if (this.cache.size >= TEMPLATE_CACHE_TENANTS)
        this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(tenantId, { rows, until: Date.now() + TEMPLATE_CACHE_MS });
    }
    return rows;
  }

  async render(
    tenantId: string,
    kind: TemplateKind,
    pref: LocalePreference,
    facts: MailFacts,
  ): Promise<RenderedEmail & { locale: string }> {
    requireTenant(tenantId);
    const custom = (await this.customOf(tenantId)).filter((c) => c.kind === kind);
    const locale = chooseLocale(pref, [...BUILT_IN_LOCALES, ...custom.map((c) => c.locale)]);
    const template = custom.find((c) => c.locale === locale) ?? null;
    return { locale, ...this.renderIn(kind, locale, template, facts) };
  }

  /**
   * Renders `template` (the tenant's, checked when saved) or the built-in one of `locale`. A
   * checked template cannot fail to render; should it anyway, the built-in one is sent, since a
   * sign-in must not fail over wording.
   */
  renderIn(
    kind: TemplateKind,
    locale: string,
    template: EmailTemplateBody | null,
    facts: MailFacts,
  ): RenderedEmail {
    const values = valuesOf(locale, facts);
    const layout = (body: string) => emailLayout(locale, body);
    const builtIn = builtInTemplate(kind, locale) ?? builtInTemplate(kind, 'en')!;
    if (template) {
      try {
        return renderTemplate(template, values, layout);
      } catch (e) {
        this.logger.error({ kind, locale, err: (e as Error).message }, 'template not rendered');
      }
    }
    return renderTemplate(builtIn, values, layout);
  }
}

function valuesOf(locale: string, f: MailFacts): TemplateValues {
  return {
    tenantName: f.tenantName,
    username: f.username ?? '',
    displayName: f.displayName || f.username || '',
    code: f.code ?? '',
    minutes: f.expiresInSeconds === undefined ? '' : minutesLeft(f.expiresInSeconds),
    ip: f.ip ?? '',
    browser: describeBrowser(f.userAgent ?? null, browserWordsFor(locale)),
    remaining: f.remaining ?? '',
  };
}
