import { prepareUsername } from './username';

const prepared = (s: string) => {
  const p = prepareUsername(s);
  if (!p.ok) throw new Error(`refused ${JSON.stringify(s)}: ${p.reason}`);
  return p.username;
};
const refusal = (s: string) => {
  const p = prepareUsername(s);
  return p.ok ? `accepted as ${p.username}` : p.reason;
};

describe('prepareUsername (RFC 8265 UsernameCaseMapped)', () => {
  it('maps width, then case, then NFC', () => {
    expect(prepared('ＡＬＩＣＥ')).toBe('alice');
    expect(prepared('Alice')).toBe('alice');
    expect(prepared('ａｌｉｃｅ．ｓｍｉｔｈ')).toBe('alice.smith');
    // Halfwidth katakana to fullwidth, and the voiced mark composed by NFC: ｶﾞ → ガ.
    expect(prepared('ｶﾞ')).toBe('ガ');
    // Decomposed e + U+0301 becomes the composed é; Greek and Cyrillic lower-cased.
    expect(prepared('Jose\u0301')).toBe('josé');
    expect(prepared('ΣΩΚΡΆΤΗΣ')).toBe('σωκράτης'.normalize('NFC'));
    expect(prepared('ИВАН')).toBe('иван');
    // Unicode toLowerCase, not a locale's: İ is i + combining dot above, not a plain i.
    expect(prepared('alİce')).toBe('ali\u0307ce');
  });

  it('is idempotent: a prepared name prepares to itself', () => {
    for (const s of ['ＡＬＩＣＥ', 'Jose\u0301', 'alİce', 'ｶﾞ', 'Mary Ann', 'o\u0027brien']) {
      expect(prepared(prepared(s))).toBe(prepared(s));
    }
  });

  it('keeps ASCII symbols and single inner spaces (userpart *(SP userpart))', () => {
    expect(prepared('first.last+tag@corp')).toBe('first.last+tag@corp');
    expect(prepared('Mary Ann')).toBe('mary ann');
  });

  it('refuses control, zero-width, bidi-control, unassigned characters and edge spaces', () => {
    expect(refusal('')).toBe('empty');
    expect(refusal('ali\u0000ce')).toBe('control');
    expect(refusal('ali\u0085ce')).toBe('control');
    expect(refusal('ali\u2028ce')).toBe('control');
    expect(refusal('ali\u200bce')).toBe('ignorable'); // zero-width space
    expect(refusal('ali\u200cce')).toBe('ignorable'); // ZWNJ
    expect(refusal('ali\u200dce')).toBe('ignorable'); // ZWJ
    expect(refusal('\u202eecila')).toBe('ignorable'); // right-to-left override
    expect(refusal('alice\u2066')).toBe('ignorable'); // left-to-right isolate
    expect(refusal('ali\u00adce')).toBe('ignorable'); // soft hyphen
    expect(refusal('\ufeffalice')).toBe('ignorable'); // BOM
    expect(refusal('ali\u0378ce')).toBe('unassigned');
    expect(refusal('ali\u{e0001}ce')).toBe('ignorable'); // language tag
    expect(refusal(' alice')).toBe('edge_space');
    expect(refusal('alice ')).toBe('edge_space');
    expect(refusal('alice\u3000')).toBe('edge_space'); // ideographic space maps to a space
    expect(refusal('mary  ann')).toBe('double_space');
  });

  it('refuses what the IdentifierClass disallows: other spaces, compatibility forms, non-ASCII symbols', () => {
    expect(refusal('mary\u00a0ann')).toBe('disallowed'); // no-break space
    expect(refusal('ﬁnn')).toBe('disallowed'); // ligature (HasCompat)
    expect(refusal('x²')).toBe('disallowed'); // superscript (HasCompat)
    expect(refusal('love♥')).toBe('disallowed'); // symbol
    expect(refusal('«alice»')).toBe('disallowed'); // non-ASCII punctuation
    expect(prepared('\u1100\u1161')).toBe('가'); // jamo that NFC composes are a syllable
    expect(refusal('\u1100')).toBe('disallowed'); // a lone conjoining (old) Hangul jamo
    expect(refusal('ali\ud800ce')).toBe('disallowed'); // lone surrogate
  });
});
