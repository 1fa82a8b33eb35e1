import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { validateBody } from '../../common/validation/validation';
import { LoginDto } from '../dto/login.dto';

/**
 * What a bearer-token strategy concluded. A bad token reaches here as "no user"; an error is our
 * own refusal or a failure of the checks themselves (the database down: 503, never a 401 that
 * makes clients drop good tokens).
 */
function bearerUser<T>(err: unknown, user: T): T {
  if (err) throw err;
  if (!user) throw new AppException(ErrorCode.UNAUTHENTICATED);
  return user;
}

/** Passport's access-token check with our error codes instead of its bare 401. */
@Injectable()
export class AccessTokenPassportGuard extends AuthGuard('access-jwt') {
  override handleRequest<T>(err: unknown, user: T): T {
    return bearerUser(err, user);
  }
}

/** Passport's mfa-token check, likewise. */
@Injectable()
export class MfaTokenPassportGuard extends AuthGuard('mfa-jwt') {
  override handleRequest<T>(err: unknown, user: T): T {
    return bearerUser(err, user);
  }
}

/**
 * Runs the `local` strategy, after validating the body exactly as the global pipe would:
 * guards run before pipes, and a malformed body must be 400, never a passport 401.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    // The strategy reads the validated body: the username as prepared by its DTO (RFC 8265), so
    // lookup and throttle keys use the one preparation.
    req.body = await validateBody(LoginDto, req.body);
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw new AppException(ErrorCode.INVALID_CREDENTIALS);
    return user;
  }
}
