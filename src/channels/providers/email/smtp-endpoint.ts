import {
  hostAllowed,
  hostMatches,
  isInternalHost,
  parseHostEntry,
} from '../../../common/net/host-guard';

// The host guard is shared with the webhooks: src/common/net/host-guard.ts.
export { hostAllowed, isInternalHost, parseHostEntry };

/** The ports of mail submission and relay: the only ones a production channel may use unlisted. */
export const STANDARD_SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

/**
 * Whether `host:port` is listed: by an entry naming that port, `*`, or no port (which allows the
 * standard ports in production and any port elsewhere).
 */
export function endpointAllowed(
  host: string,
  port: number,
  allowed: string[],
  production: boolean,
): boolean {
  return allowed
    .map(parseHostEntry)
    .filter((e) => hostMatches(host, e.host))
    .some(
      (e) =>
        e.port === '*' ||
        e.port === port ||
        (e.port === null && (!production || STANDARD_SMTP_PORTS.includes(port))),
    );
}
