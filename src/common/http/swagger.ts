import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from './api-errors.decorator';

/** OpenAPI at /docs-json and its UI at /docs. */
export function setupSwagger(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('EFCX two-factor authentication service')
    .setDescription(
      'Contract: every error has the shape `{ statusCode, code, message, requestId, details? }`; ' +
        '`requestId` equals the `X-Request-Id` header. See each route for its error codes.',
    )
    .setVersion('1.1')
    .setLicense('Proprietary (EFCX)', 'https://efcx.example/license')
    .addServer('/', 'this service')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Access token (JWT, ES256 or RS256, keys at /.well-known/jwks.json). Claims: `iss`, `aud`, ' +
          '`sub` (user id), `tid` (tenant slug), `roles`, `amr` (["pwd"] or ["pwd","otp"]), `acr` ' +
          '("pwd": 2FA was off; "2fa": a second factor was entered in this sign-in; ' +
          '"2fa-remembered": skipped by a remembered device), `auth_time` (the sign-in, seconds; ' +
          'a refresh keeps it), `sid` (the refresh session), `pv` and `tfv` (password and 2FA ' +
          'versions: a change ends earlier tokens), `iat`, `exp`, `jti`.',
      },
      'accessToken',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'mfa token (stage 1)' },
      'mfaToken',
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'platformKey')
    .addGlobalResponse({
      status: 500,
      description: 'INTERNAL_ERROR',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
      },
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  // Public routes say so (`security: []`): a client generator must not ask for credentials.
  for (const item of Object.values(document.paths))
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (op && !op.security) op.security = [];
      // Every DELETE answers 204 (`@HttpCode(204)`), which Nest leaves out once errors are
      // documented; a generated client needs the success status.
      if (op && method === 'delete' && !Object.keys(op.responses).some((s) => s.startsWith('2')))
        op.responses['204'] = { description: 'Done (no content)' };
    }
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
