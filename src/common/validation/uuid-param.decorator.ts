import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppException } from '../errors/app.exception';

/** A path id that must be a UUID: a malformed one is 400 VALIDATION_FAILED, never a 500 or 404. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        AppException.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
