import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { requestMeta } from '../../common/http/request-context';
import { AuthService } from '../auth.service';
import type { PasswordIdentity } from '../password-identity';

/** Stage 1: tenant + username + password. Any failure is one INVALID_CREDENTIALS. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({
      usernameField: 'username',
      passwordField: 'password',
      passReqToCallback: true,
      session: false,
    });
  }

  validate(req: FastifyRequest, username: string, password: string): Promise<PasswordIdentity> {
    const { tenant, deviceToken } = req.body as { tenant: string; deviceToken?: string };
    return this.auth.checkPassword(tenant, username, password, requestMeta(req), deviceToken);
  }
}
