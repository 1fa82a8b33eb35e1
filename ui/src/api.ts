import type { components } from './generated/api-types.js';
/** The error shape of API.md. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId?: string;
  retryAfterSeconds?: number;
  details?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    /** Seconds from the body's retryAfterSeconds or the Retry-After header, when given. */
    readonly retryAfter: number | null,
  ) {
    super(body.message);
  }

  get code(): string {
    return this.body.code;
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  query?: Record<string, string | undefined>;
}

/** One call to this service (same origin): JSON in, JSON out, errors as ApiError. */
export async function api<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const qs = opts.query
    ? new URLSearchParams(
        Object.entries(opts.query).filter((e): e is [string, string] => !!e[1]),
      ).toString()
    : '';
  let res: Response;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, { statusCode: 0, code: 'NETWORK', message: 'network error' }, null);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) {
    const body = data as ApiErrorBody;
    const header = Number(res.headers.get('retry-after'));
    const retryAfter =
      typeof body.retryAfterSeconds === 'number'
        ? body.retryAfterSeconds
        : Number.isFinite(header) && header > 0
          ? header
          : null;
    throw new ApiError(res.status, { ...body, code: body.code ?? 'INTERNAL_ERROR' }, retryAfter);
  }
  return data as T;
}

/** The answers of the sign-in endpoints, as the served OpenAPI document types them. */
type Schemas = components['schemas'];
export type AuthenticatedAnswer = Schemas['AuthenticatedResponse'];
/** What the code step knows of its code (login, register or resend answer; empty for an app). */
export type CodeStatus = Partial<Schemas['CodeStatusResponse']> & {
  mfaToken?: string;
  expiresIn?: number;
};
/** An authenticator registration's answer: the secret and its QR are always there. */
export type AppRegistration = Schemas['TwoFactorRequiredResponse'] &
  Required<Pick<Schemas['TwoFactorRequiredResponse'], 'secret' | 'otpauthUri' | 'qrCodeDataUrl'>>;
export type LoginAnswer =
  | AuthenticatedAnswer
  | Schemas['RegistrationRequiredResponse']
  | Schemas['LoginTwoFactorRequiredResponse'];
export type Me = Schemas['MeResponse'];
