import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { preparedUsernameOrNull, prepareUsername, USERNAME_REFUSAL_MESSAGES } from './username';

export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** A tenant slug as API.md defines it. */
export const TenantSlug = () =>
  applyDecorators(
    IsString(),
    Matches(TENANT_SLUG, { message: '$property must match ^[a-z0-9][a-z0-9-]{1,62}$' }),
  );

/**
 * A username, prepared with RFC 8265 UsernameCaseMapped (see username.ts): the value the
 * controller receives is the prepared one (`ＡＬＩＣＥ` arrives as `alice`), 1-64 characters; input
 * the profile refuses (control, zero-width, bidi-control or unassigned characters, leading or
 * trailing space) is 400.
 */
export const Username = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (preparedUsernameOrNull(value) ?? value) : value,
    ),
    IsString(),
    ValidateBy({
      name: 'precisUsername',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && prepareUsername(value).ok,
        defaultMessage: (args) => {
          const p = prepareUsername(String(args?.value ?? ''));
          return `$property ${p.ok ? 'is invalid' : USERNAME_REFUSAL_MESSAGES[p.reason]}`;
        },
      },
    }),
    MaxLength(64),
  );

/** Trims surrounding white space from a string value (leaves other types for the validators). */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Optional, but not nullable: an absent field is skipped, `null` is validated (and so refused by
 * the type rule). class-validator's IsOptional would let `null` through to the service.
 */
export const Optional = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** An optional object, validated as an instance of `type()` (absent: skipped; `null`: refused). */
export const OptionalNested = (type: () => new () => object) =>
  // In the order a stack `@Optional @IsObject @ValidateNested @Type` applies them (bottom up).
  applyDecorators(Type(type), ValidateNested(), IsObject(), Optional());

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
 * An email address (RFC 5321 §4.5.3.1): at most 254 characters, a local part of at most 64, and
 * no control characters anywhere, not even in a quoted local part (validator's isEmail admits
 * `"a\u0007b"@x`).
 */
export const EmailAddress = (message?: string) =>
  applyDecorators(
    IsString(message ? { message } : undefined),
    MaxLength(254),
    Matches(NO_CONTROL_CHARS, { message: '$property must not contain control characters' }),
    ValidateBy({
      name: 'emailLocalPartLength',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.lastIndexOf('@') <= 64,
        defaultMessage: () => '$property must have a local part of at most 64 characters',
      },
    }),
    IsEmail({}, message ? { message } : undefined),
  );
