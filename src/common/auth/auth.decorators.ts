import { applyDecorators, Controller, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { ApiErrors } from '../http/api-errors.decorator';

/**
 * Default-deny: the global AuthenticationGuard refuses every route that carries none of these.
 * A spec snapshots each route's kind, so a change here is reviewed as a permission change.
 */
export enum AuthKind {
  Public = 'public',
  PlatformKey = 'platform-key',
  AccessToken = 'access-token',
  TenantAdmin = 'tenant-admin',
  MfaToken = 'mfa-token',
}

export const AUTH_KIND = 'efcx:auth-kind';

export const Public = () => SetMetadata(AUTH_KIND, AuthKind.Public);

/** `X-Api-Key: <PLATFORM_API_KEY>` only. */
export const PlatformKey = () =>
  applyDecorators(
    SetMetadata(AUTH_KIND, AuthKind.PlatformKey),
    ApiSecurity('platformKey'),
    ApiErrors(ErrorCode.UNAUTHENTICATED),
  );

/** A stage-2 access token (`typ: at+jwt`) of an enabled user of an enabled tenant. */
export const AccessToken = () =>
  applyDecorators(
    SetMetadata(AUTH_KIND, AuthKind.AccessToken),
    ApiBearerAuth('accessToken'),
    ApiErrors(ErrorCode.UNAUTHENTICATED),
  );

/**
 * The platform key, or an access token whose user has role `admin` in the `{slug}` tenant of the
 * path (roles and disabled flag re-read from the database on each call). Resolves the tenant.
 */
export const TenantAdmin = () =>
  applyDecorators(
    SetMetadata(AUTH_KIND, AuthKind.TenantAdmin),
    ApiBearerAuth('accessToken'),
    ApiSecurity('platformKey'),
    ApiParam({ name: 'slug', description: 'the tenant slug' }),
    ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND),
  );

/**
 * A controller of the tenant admin API: its routes under `v1/tenants/:slug/<path>`, all
 * `@TenantAdmin()`, in the OpenAPI group `tenant admin: <tag>`.
 */
export const TenantAdminController = (tag: string, path: string) =>
  applyDecorators(
    TenantAdmin(),
    Controller(`v1/tenants/:slug/${path}`),
    ApiTags(`tenant admin: ${tag}`),
  );

/**
 * A stage-1 mfa token (`typ: mfa+jwt`, audience JWT_AUDIENCE:mfa) whose sign-in is not spent and
 * whose user, tenant, password and 2FA registration are unchanged since it was issued.
 */
export const MfaStage = () =>
  applyDecorators(
    SetMetadata(AUTH_KIND, AuthKind.MfaToken),
    ApiBearerAuth('mfaToken'),
    ApiErrors(ErrorCode.UNAUTHENTICATED),
  );
