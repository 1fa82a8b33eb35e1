import { api, ApiError, CallOptions } from '../api.js';
import type { Authenticated, Me } from './types.js';

/** The signed-in admin's tokens; calls refresh once when the access token has expired. */
export class Session {
  constructor(
    private tokens: Authenticated,
    readonly me: Me,
    private readonly onEnded: () => void,
  ) {}

  get base(): string {
    return `/v1/tenants/${encodeURIComponent(this.me.tenant)}`;
  }

  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    try {
      return await api<T>(method, path, { ...opts, token: this.tokens.accessToken });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
      try {
        this.tokens = await api<Authenticated>('POST', '/v1/auth/refresh', {
          body: { refreshToken: this.tokens.refreshToken },
        });
      } catch {
        this.onEnded();
        throw err;
      }
      return api<T>(method, path, { ...opts, token: this.tokens.accessToken });
    }
  }

  async logout(): Promise<void> {
    await api('POST', '/v1/auth/logout', { token: this.tokens.accessToken }).catch(() => undefined);
  }
}

/** How a panel reports: an error (alert) or a done message (status). */
export interface Ui {
  error: (err: unknown) => void;
  ok: (text: string) => void;
}

/** One tab of the console: it renders itself into `panel`. */
export type Panel = (s: Session, panel: HTMLElement, ui: Ui) => Promise<void>;
