import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

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

/**
 * Optional, but not nullable: an absent field is skipped, `null` is validated (and so refused by
 * the type rule). class-validator's IsOptional would let `null` through to the service.
 */
export const Optional = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** A role: free text of 1-64 characters without control characters (`admin` grants admin). */
export const Role = () =>
  applyDecorators(
    IsString({ each: true }),
    MinLength(1, { each: true }),
    MaxLength(64, { each: true }),
    // eslint-disable-next-line no-control-regex
    Matches(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, {
      each: true,
      message: 'each role must not contain control characters',
    }),
  );

// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/**
 * Free text shown to people (names, display names): 1..max characters, no control characters
 * (PostgreSQL refuses NUL, and nobody's name has a newline).
 */
export const PlainText = (max: number) =>
  applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(max),
    Matches(NO_CONTROL_CHARS, { message: '$property must not contain control characters' }),
  );

/**
 * A password as sent: a string, bounded in UTF-16 units here; the service checks
 * PASSWORD_MIN_LENGTH..256 in characters (code points), which the DTO cannot count.
 */
export const PasswordInput = () => applyDecorators(IsString(), MaxLength(1024));

/** The length of a string in characters (code points), as people count them. */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * An email address: at most 254 characters and no control characters. validator's isEmail lets a
 * quoted local part carry CR/LF ("a\r\nBcc: x"@y), which a mail header must never receive.
 */
export const EmailAddress = (message = '$property must be an email address') =>
  applyDecorators(
    IsEmail({}, { message }),
    MaxLength(254),
    Matches(NO_CONTROL_CHARS, { message: '$property must not contain control characters' }),
  );
