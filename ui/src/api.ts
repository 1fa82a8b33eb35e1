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

/** The answers of the sign-in endpoints (API.md "Login", "Registration", "Verification"). */
export interface AuthenticatedAnswer {
  status: 'AUTHENTICATED';
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** This browser's device (API.md v1.1 §7): sent back in every login. */
  deviceToken?: string;
}

export interface CodeStatus {
  status?: 'TWO_FACTOR_REQUIRED';
  channel?: string;
  destination?: string;
  delivery?: 'SENT' | 'ALREADY_SENT' | 'COOLDOWN' | 'FAILED';
  expiresAt?: string;
  resendAvailableAt?: string;
  resendsRemaining?: number;
  mfaToken?: string;
  expiresIn?: number;
}

export interface AppRegistration {
  status: 'TWO_FACTOR_REQUIRED';
  channel: string;
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

export type LoginAnswer =
  | AuthenticatedAnswer
  | {
      status: 'TWO_FACTOR_REGISTRATION_REQUIRED';
      mfaToken: string;
      channel: string;
      expiresIn: number;
    }
  | (CodeStatus & { status: 'TWO_FACTOR_REQUIRED'; mfaToken: string; channel: string });

export interface Me {
  id: string;
  username: string;
  tenant: string;
  roles: string[];
  twoFactor: {
    registered: boolean;
    channelType: string | null;
    destination: string | null;
    registeredAt: string | null;
    recoveryCodesRemaining?: number;
  };
}
