import { Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AppException, FieldError } from '../errors/app.exception';

/** Flattens nested class-validator errors into `{ field: "otp.length", message }`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      // class-validator prefixes messages with the property name; say the full path instead.
      message: message.startsWith(e.property)
        ? `${field}${message.slice(e.property.length)}`
        : message,
    }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  // One message per field: the first rule it breaks.
  stopAtFirstError: true,
  validationError: { target: false, value: false },
} as const;

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => AppException.validation(flattenValidationErrors(errors)),
  });
}

/** The same validation as the global pipe, for code that runs before pipes (guards). */
export async function validateBody<T extends object>(cls: new () => T, body: unknown): Promise<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw AppException.validation([{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const instance = plainToInstance(cls, body);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length) throw AppException.validation(flattenValidationErrors(errors));
  return instance;
}

/**
 * For bodies that must be `{}` (resend): any field is unknown, so 400 as for every DTO. (A class
 * without fields cannot go through the global pipe: class-validator refuses metadata-less values.)
 */
@Injectable()
export class EmptyBodyPipe implements PipeTransform {
  transform(value: unknown): Record<string, never> {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw AppException.validation([{ field: 'body', message: 'body must be a JSON object' }]);
    const keys = Object.keys(value);
    if (keys.length)
      throw AppException.validation(
        keys.map((k) => ({ field: k, message: `property ${k} should not exist` })),
      );
    return {};
  }
}
