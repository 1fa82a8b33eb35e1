import { h } from './dom.js';
import { timeEl } from './time.js';

/** What the claims the signed-in view shows mean, in one line each. */
const EXPLAINED: Record<string, string> = {
  amr: 'How you proved who you are in this sign-in: pwd = password, otp = a one-time code.',
  acr: 'The assurance of this sign-in: pwd = password only, 2fa = a second factor entered, 2fa-remembered = skipped on a remembered device.',
  auth_time: 'When you signed in with those methods (refreshing the tokens keeps this time).',
  iat: 'When this access token was issued.',
  exp: 'When this access token expires (refresh the tokens for a new one).',
};
/** Claims holding a time (seconds since 1970), shown as human times. */
const TIMES = new Set(['iat', 'exp', 'nbf', 'auth_time']);

/** The rows of one claim in the claims table: its value, and its explanation when it has one. */
export function claimRows(name: string, value: unknown): HTMLTableRowElement[] {
  const shown =
    TIMES.has(name) && typeof value === 'number' ? timeEl(value) : JSON.stringify(value);
  const rows = [h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, shown))];
  const note = EXPLAINED[name];
  if (note)
    rows.push(h('tr', { class: 'claim-note' }, h('td', { colspan: 2 }, h('small', {}, note))));
  return rows;
}
