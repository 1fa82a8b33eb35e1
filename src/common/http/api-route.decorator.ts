import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  type ApiOperationOptions,
} from '@nestjs/swagger';
import type { ErrorCode } from '../errors/error-code';
import { ApiErrors } from './api-errors.decorator';

export interface ApiRouteOptions extends ApiOperationOptions {
  /** The body of the 200 answer. */
  ok?: Type;
  /** The body of the 201 answer. */
  created?: Type;
  /** The body of the 202 answer. */
  accepted?: Type;
  /** A 204 answer. */
  noContent?: true;
  /** The error codes of the route (see ApiErrors). */
  errors?: readonly ErrorCode[];
}

/** A route's OpenAPI operation: what it does, its success answer and its error codes. */
export function ApiRoute({
  ok,
  created,
  accepted,
  noContent,
  errors = [],
  ...operation
}: ApiRouteOptions) {
  // In the order a stack `@ApiOperation @Api…Response @ApiErrors` applies them (bottom up): the
  // document lists the responses in that order.
  return applyDecorators(
    ApiErrors(...errors),
    ...(ok ? [ApiOkResponse({ type: ok })] : []),
    ...(created ? [ApiCreatedResponse({ type: created })] : []),
    ...(accepted ? [ApiAcceptedResponse({ type: accepted })] : []),
    ...(noContent ? [ApiNoContentResponse()] : []),
    ApiOperation(operation),
  );
}
