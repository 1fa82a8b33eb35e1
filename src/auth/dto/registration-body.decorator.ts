import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { EmailRegistrationDto } from '../../channels/providers/email/email-channel.dto';
import { AuthenticatorRegistrationBody } from './two-factor.dto';

/** The register body of the active channel type (login's register and self-service's). */
export const ApiRegistrationBody = () =>
  applyDecorators(
    ApiExtraModels(EmailRegistrationDto, AuthenticatorRegistrationBody),
    ApiBody({
      description: "the active channel type's body: email `{ destination }`, authenticator `{}`",
      schema: {
        oneOf: [
          { $ref: getSchemaPath(EmailRegistrationDto) },
          { $ref: getSchemaPath(AuthenticatorRegistrationBody) },
        ],
      },
    }),
  );
