import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is calling: the platform key, or a user's access token (roles re-read from the database). */
export type Principal =
  | { kind: 'platform' }
  | {
      kind: 'user';
      userId: string;
      tenantId: string;
      tenantSlug: string;
      roles: string[];
      amr: string[];
      /** How and when this session signed in (API.md v1.1 §3). */
      acr: string;
      authTime: number;
      sid: string;
      jti: string;
    }
  | {
      /** Stage 1 passed: an mfa token, good only on /v1/auth/2fa/*. */
      kind: 'mfa';
      userId: string;
      tenantId: string;
      tenantSlug: string;
      tenantName: string;
      sessionId: string;
    };

/** The tenant named by a `/v1/tenants/{slug}/…` path, resolved by the tenant-admin guard. */
export interface ResolvedTenant {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  /** BCP 47: the locale of mails to users who have none. */
  defaultLocale: string;
}

export interface Actor {
  type: 'user' | 'platform';
  id: string | null;
}

export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent: string | null;
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    tenant?: ResolvedTenant;
  }
}

export function actorOf(principal: Principal | undefined): Actor {
  if (principal?.kind === 'user' || principal?.kind === 'mfa')
    return { type: 'user', id: principal.userId };
  return { type: 'platform', id: null };
}

export function requestMeta(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return {
    requestId: String(req.id),
    // request.ip honours TRUST_PROXY (Fastify's trustProxy), so this is the client, not the proxy.
    ip: req.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    actor: actorOf(req.principal),
  };
}

/** Request id, client IP, user agent and actor of the current request. */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  requestMeta(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** The tenant of the path, as resolved (404 when missing) by the tenant-admin guard. */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const tenant = ctx.switchToHttp().getRequest<FastifyRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without @TenantAdmin()');
  return tenant;
});

/** The authenticated principal (set by the global authentication guard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The signed-in user of an `@AccessToken()` route (which admits users only). */
export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): UserPrincipal => {
    const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal?.kind !== 'user') throw new Error('unreachable: @AccessToken admits users only');
    return principal;
  },
);
