import { h } from './dom.js';

/** "3 min ago", "in 2 h", "just now": a time relative to `now`. */
export function relativeTime(at: Date, now = Date.now()): string {
  const seconds = Math.round((at.getTime() - now) / 1000);
  let n = Math.abs(seconds);
  if (n < 5) return 'just now';
  let unit = 's';
  if (n >= 60) {
    [n, unit] = [Math.floor(n / 60), 'min'];
    if (n >= 60) [n, unit] = [Math.floor(n / 60), 'h'];
    if (unit === 'h' && n >= 48) [n, unit] = [Math.floor(n / 24), 'd'];
  }
  return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/**
 * A time for people: relative text, the exact ISO time as the title and in `datetime`. Takes
 * an ISO string, epoch seconds (JWT claims) or null ("—").
 */
export function timeEl(value: string | number | null | undefined): HTMLElement | string {
  if (value === null || value === undefined) return '—';
  const at = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(at.getTime())) return String(value);
  const iso = at.toISOString();
  return h('time', { datetime: iso, title: iso }, relativeTime(at));
}
