import { AppException } from '../errors/app.exception';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An opaque cursor: base64url of `kind:value`, so a cursor of one listing fails on another. */
export function encodeCursor(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  kind: string,
  valuePattern: RegExp,
): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  const value = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : '';
  if (!valuePattern.test(value))
    throw AppException.validation([{ field: 'cursor', message: 'cursor is not valid' }]);
  return value;
}
