import Bowser from 'bowser';

const MAX_BROWSER_LENGTH = 60;

/**
 * Only names from bowser's own lists are shown: its fallback takes the first word of an unknown
 * User-Agent, which is the sender's text.
 */
const KNOWN_BROWSERS = new Set<string>(Object.values(Bowser.BROWSER_MAP));
const KNOWN_SYSTEMS = new Set<string>(Object.values(Bowser.OS_MAP));

/** The words of a summary in one language ("Chrome 131 on Windows", "an unknown browser"). */
export interface BrowserWords {
  unknown: string;
  on: string;
}

export const ENGLISH_BROWSER_WORDS: BrowserWords = { unknown: 'an unknown browser', on: 'on' };

/**
 * "Chrome 131 on Windows" from a User-Agent, parsed with bowser; "an unknown browser" when it
 * names no browser it knows (API.md v1.1 §5). The raw header never reaches a mail: it is the
 * sender's text, and a crafted one ("… visit https://evil.test to cancel") would be phishing in
 * our name.
 */
export function describeBrowser(
  userAgent: string | null,
  words: BrowserWords = ENGLISH_BROWSER_WORDS,
): string {
  if (!userAgent?.trim()) return words.unknown;
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent.slice(0, 1024));
  } catch {
    return words.unknown;
  }
  const name = parsed.browser.name;
  if (!name || !KNOWN_BROWSERS.has(name)) return words.unknown;
  const major = /^\d{1,4}(?=\.|$)/.exec(parsed.browser.version ?? '')?.[0];
  const os = parsed.os.name && KNOWN_SYSTEMS.has(parsed.os.name) ? parsed.os.name : undefined;
  const text = `${name}${major ? ` ${major}` : ''}${os ? ` ${words.on} ${os}` : ''}`;
  return text.length > MAX_BROWSER_LENGTH ? name.slice(0, MAX_BROWSER_LENGTH) : text;
}

/**
 * Whole minutes a code still lives, from whole seconds rounded down (the mail never promises
 * more time than there is), at least 1 (the shortest code lifetime is 30 s).
 */
export function minutesLeft(seconds: number): number {
  return Math.max(1, Math.floor(Math.max(0, Math.round(seconds)) / 60));
}
