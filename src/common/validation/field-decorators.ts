import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** A tenant slug as API.md defines it. */
export const TenantSlug = () =>
  applyDecorators(
    IsString(),
    Matches(TENANT_SLUG, { message: '$property must match ^[a-z0-9][a-z0-9-]{1,62}$' }),
  );

/** A username: 1-64 characters, no control characters. */
export const Username = () =>
  applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(64),
    // eslint-disable-next-line no-control-regex
    Matches(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, {
      message: '$property must not contain control characters',
    }),
  );

/** Trims surrounding white space from a string value (leaves other types for the validators). */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
