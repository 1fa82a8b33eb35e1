/** The decoded JOSE header of a compact JWT, or null. (Read before the signature is checked.) */
export function decodeJwtHeader(raw: string): Record<string, unknown> | null {
  try {
    const header = JSON.parse(Buffer.from(raw.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return header && typeof header === 'object' ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
