import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/auth.decorators';
import { SigningKeys } from './signing-keys.service';

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

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
}
