import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode, ERROR_STATUS } from '../errors/error-code';

class FieldErrorDto {
  @ApiProperty({ example: 'otp.length' }) field!: string;
  @ApiProperty() message!: string;
}

/** The error shape of API.md, for the OpenAPI document. */
export class ErrorResponseDto {
  @ApiProperty({ example: 401 }) statusCode!: number;
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.UNAUTHENTICATED }) code!: ErrorCode;
  @ApiProperty({ example: 'Authentication is required.' }) message!: string;
  @ApiProperty({ description: 'Equals the X-Request-Id response header.' }) requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) details?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'OTP_RESEND_COOLDOWN and TWO_FACTOR_LOCKED only' })
  retryAfterSeconds?: number;
}

/** Statuses whose answers carry `Retry-After` (seconds). */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/**
 * Documents which error codes a route answers, grouped by HTTP status (500 is global): the
 * error shape with `code` narrowed to that operation's codes (a generated client gets an enum),
 * and the `Retry-After` header on 429 and 503.
 */
export function ApiErrors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: list.join(' | '),
        schema: {
          allOf: [
            { $ref: getSchemaPath(ErrorResponseDto) },
            { type: 'object', properties: { code: { type: 'string', enum: list } } },
          ],
        },
        ...(RETRY_AFTER_STATUSES.has(status)
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again',
                  schema: { type: 'integer', minimum: 1 },
                },
              },
            }
          : {}),
      }),
    ),
  );
}

/** What any route with a JSON body can answer before its own rules. */
export const BODY_ERRORS = [
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
] as const;
