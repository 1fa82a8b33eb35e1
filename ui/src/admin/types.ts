import type { components } from '../generated/api-types.js';

/** The admin console's API types: those generated from the service's OpenAPI document. */
type Schemas = components['schemas'];
export type Channel = Schemas['ChannelResponseDto'];
export type ChannelList = Schemas['ChannelListResponseDto'];
export type Settings = Schemas['TwoFactorSettingsResponseDto'];
export type User = Schemas['UserResponseDto'];
export type UserPage = Schemas['UserPageResponseDto'];
export type AuditEvent = Schemas['AuditEventResponseDto'];
export type AuditPage = Schemas['AuditEventPageResponseDto'];
export type AuditEventType = AuditEvent['type'];
export type Webhook = Schemas['WebhookResponseDto'];
export type WebhookWithSecret = Schemas['WebhookWithSecretResponseDto'];
export type WebhookList = Schemas['WebhookListResponseDto'];
export type Delivery = Schemas['WebhookDeliveryResponseDto'];
export type DeliveryPage = Schemas['WebhookDeliveryPageResponseDto'];
export type Authenticated = Schemas['AuthenticatedResponse'];
export type Me = Schemas['MeResponse'];
export type Device = Schemas['DeviceResponseDto'];
export type DeviceList = Schemas['DeviceListResponseDto'];
export type EmailTemplate = Schemas['EmailTemplateResponseDto'];
export type EmailTemplateList = Schemas['EmailTemplateListDto'];
export type TemplateKind = EmailTemplate['kind'];
export type RenderedEmail = Schemas['RenderedEmailDto'];
export type Tenant = Schemas['TenantResponseDto'];
