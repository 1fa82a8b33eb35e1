/**
 * RFC 8265 §3.4 PRECIS `UsernameCaseMapped`: the one preparation of a username, applied before a
 * name is stored, looked up at login, or used in a throttle key, so every variant a person can
 * type (`ＡＬＩＣＥ`, `Alice`) is the same account and the same throttle bucket.
 *
 * Written here rather than taken from npm: no maintained PRECIS package exists there (the few
 * `precis`/`stringprep` packages are unmaintained, stop at IDNA2003 stringprep, or need a native
 * ICU build). Node's ICU gives what the profile needs: NFC/NFKC, Unicode toLowerCase and the
 * General_Category / Default_Ignorable_Code_Point properties (of Node's Unicode version, so a
 * code point unassigned there is refused until Node knows it).
 *
 * Steps (RFC 8265 §3.4.1, each userpart of `userpart *(%x20 userpart)`, §3.1):
 *   1. width mapping: fullwidth and halfwidth forms to their decomposition (RFC 8264 §9.11);
 *   2. case mapping: Unicode toLowerCase (not locale-dependent: `İ` becomes `i̇`, not `i`);
 *   3. normalization: NFC;
 *   4. enforcement: the IdentifierClass (RFC 8264 §9.1): ASCII printable, letters and digits
 *      (Ll, Lu, Lo, Nd, Lm, Mn, Mc) without compatibility forms; controls, default-ignorable
 *      (zero-width, ZWJ/ZWNJ, bidi controls), spaces other than the single separating space,
 *      non-ASCII symbols and punctuation, old Hangul jamo and unassigned code points refused.
 *
 * Departures, both stricter: ZWJ/ZWNJ are refused outright rather than allowed in the contexts
 * of RFC 5892 Appendix A (a username never needs them, and they hide look-alikes); the Bidi Rule
 * of RFC 5893 is not applied (JavaScript exposes no Bidi_Class), the bidi controls that make
 * right-to-left spoofing possible are refused instead.
 */

export type UsernamePreparation =
  { ok: true; username: string } | { ok: false; reason: UsernameRefusal };

export type UsernameRefusal =
  'empty' | 'edge_space' | 'double_space' | 'control' | 'ignorable' | 'unassigned' | 'disallowed';

export const USERNAME_REFUSAL_MESSAGES: Record<UsernameRefusal, string> = {
  empty: 'must not be empty',
  edge_space: 'must not begin or end with a space',
  double_space: 'must not contain consecutive spaces',
  control: 'must not contain control characters',
  ignorable: 'must not contain zero-width, joiner or bidirectional control characters',
  unassigned: 'must not contain unassigned characters',
  disallowed: 'must contain only letters, digits, ASCII symbols and single spaces',
};

/** Cc, and the line and paragraph separators that act as line breaks. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
/** Zero-width space and joiners, bidi controls (U+202A-202E, U+2066-2069), BOM, soft hyphen… */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const UNASSIGNED = /\p{Cn}/u;
const LETTER_DIGIT = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
const ASCII_PRINTABLE = /^[\x21-\x7e]$/;
/** OldHangulJamo (RFC 8264 §9.9): conjoining jamo, Hangul_Syllable_Type L, V or T. */
const OLD_HANGUL_JAMO = /[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]/u;

/** Code points whose decomposition is tagged <wide> or <narrow> (UnicodeData.txt). */
function isWidthVariant(cp: number): boolean {
  return cp === 0x3000 || (cp >= 0xff01 && cp <= 0xffee);
}

function mapWidth(s: string): string {
  let out = '';
  for (const ch of s) out += isWidthVariant(ch.codePointAt(0)!) ? ch.normalize('NFKC') : ch;
  return out;
}

function enforce(part: string): UsernameRefusal | null {
  for (const ch of part) {
    if (CONTROL.test(ch)) return 'control';
    if (IGNORABLE.test(ch)) return 'ignorable';
    if (UNASSIGNED.test(ch)) return 'unassigned';
    if (ASCII_PRINTABLE.test(ch)) continue;
    // HasCompat (RFC 8264 §9.17): a compatibility form is disallowed (`ﬁ`, `ǆ`, `²`).
    if (!LETTER_DIGIT.test(ch) || OLD_HANGUL_JAMO.test(ch) || ch.normalize('NFKC') !== ch)
      return 'disallowed';
  }
  return null;
}

/** Prepares and enforces `input` as a UsernameCaseMapped username. */
export function prepareUsername(input: string): UsernamePreparation {
  if (input.length === 0) return { ok: false, reason: 'empty' };
  // Refusals that hold whatever the mapping does: checked on the input as typed, too.
  for (const ch of input) {
    if (CONTROL.test(ch)) return { ok: false, reason: 'control' };
    if (IGNORABLE.test(ch)) return { ok: false, reason: 'ignorable' };
  }
  const mapped = mapWidth(input).toLowerCase().normalize('NFC');
  if (mapped.startsWith(' ') || mapped.endsWith(' ')) return { ok: false, reason: 'edge_space' };
  const parts = mapped.split(' ');
  if (parts.some((p) => p.length === 0)) return { ok: false, reason: 'double_space' };
  for (const part of parts) {
    const reason = enforce(part);
    if (reason) return { ok: false, reason };
  }
  return { ok: true, username: mapped };
}

/** The prepared form of `input`, or null when the profile refuses it. */
export function preparedUsernameOrNull(input: string): string | null {
  const p = prepareUsername(input);
  return p.ok ? p.username : null;
}
