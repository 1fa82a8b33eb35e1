import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { authConfig } from '../../config/app-config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/auth.decorators';
import { SigningKeys } from './signing-keys.service';

const METADATA_SCHEMA = {
  type: 'object',
  required: ['issuer', 'jwks_uri'],
  properties: {
    issuer: { type: 'string', description: "JWT_ISSUER, as in the tokens' iss" },
    jwks_uri: { type: 'string', format: 'uri' },
    token_endpoint: { type: 'string', format: 'uri' },
    acr_values_supported: { type: 'array', items: { type: 'string' } },
  },
};

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
  ) {}

  @Get('jwks.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that verify access tokens (current and previous)' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            description: 'a public JWK with kid (RFC 7638 thumbprint), use "sig" and alg',
          },
        },
      },
    },
  })
  jwks() {
    return this.keys.jwks();
  }

  @Get('oauth-authorization-server')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'RFC 8414 metadata: the issuer and where its keys are (for resource servers)',
  })
  @ApiOkResponse({ schema: METADATA_SCHEMA })
  authorizationServer(@Req() req: FastifyRequest) {
    return this.metadata(req);
  }

  @Get('openid-configuration')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The same metadata at the OpenID discovery path' })
  @ApiOkResponse({ schema: METADATA_SCHEMA })
  openidConfiguration(@Req() req: FastifyRequest) {
    return this.metadata(req);
  }

  /** `issuer` as configured; absolute URLs from PUBLIC_URL, else the request's scheme and host. */
  private metadata(req: FastifyRequest) {
    const base = this.cfg.publicUrl ?? `${req.protocol}://${req.host}`;
    return {
      issuer: this.cfg.issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/v1/auth/refresh`,
      grant_types_supported: ['refresh_token'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.keys.current.alg],
      acr_values_supported: ['pwd', '2fa', '2fa-remembered'],
      claims_supported: ['iss', 'aud', 'sub', 'tid', 'roles', 'amr', 'acr', 'auth_time', 'sid'],
    };
  }
}
