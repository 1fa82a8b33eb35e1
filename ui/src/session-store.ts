import type { AuthenticatedAnswer } from './api.js';

/**
 * The signed-in tokens, handed from the sign-in page to the account page: kept for this tab only
 * (sessionStorage: gone when the tab closes, never sent anywhere by the browser itself).
 */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  tenant?: string;
}

const KEY = 'efcx.session';

export function saveSession(tokens: AuthenticatedAnswer | StoredSession, tenant?: string): void {
  const value: StoredSession = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tenant,
  };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  } catch {
    // Storage disabled: the account page then asks to sign in.
  }
}

export function loadSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw ? (JSON.parse(raw) as Partial<StoredSession>) : null;
    if (value && typeof value.accessToken === 'string' && typeof value.refreshToken === 'string')
      return value as StoredSession;
  } catch {
    // Unreadable: treated as signed out.
  }
  return null;
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing to clear.
  }
}
