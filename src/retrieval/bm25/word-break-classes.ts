/**
 * Unicode word-break classes (UAX #29) as Lucene's StandardTokenizer grammar groups them.
 * JavaScript regexes cannot test the Word_Break property directly, so each class is rebuilt
 * from the properties UAX #29 defines it by (General_Category, Script, Alphabetic,
 * Grapheme_Extend, …), with the fixed code point lists of Unicode 9, the version Lucene's
 * grammar is generated from.
 */
export const WordBreakClass = {
  Other: 0,
  /** Letters (WB ALetter), Hebrew letters excluded. */
  Letter: 1,
  /** WB Hebrew_Letter; also a letter for every rule but WB7a–c. */
  HebrewLetter: 2,
  /** WB Numeric. */
  Numeric: 3,
  Katakana: 4,
  /** WB Extend, Format and ZWJ: they attach to the character before them (WB4). */
  ExtendFormat: 5,
  /** Joins letters only (`:` `·`). */
  MidLetter: 6,
  /** Joins digits only (`,` `;`). */
  MidNum: 7,
  /** Joins letters or digits (`.` `’`). */
  MidNumLet: 8,
  /** `'`: joins letters or digits, and may end a Hebrew word. */
  SingleQuote: 9,
  /** `"`: joins Hebrew letters only. */
  DoubleQuote: 10,
  /** Connector punctuation such as `_`: joins anything word-like. */
  ExtendNumLet: 11,
  /** Thai, Lao, Myanmar, Khmer…: runs are kept whole (Line_Break = Complex_Context). */
  ComplexContext: 12,
  /** Han ideographs: one token each. */
  Han: 13,
  /** Hiragana: one token each. */
  Hiragana: 14,
  RegionalIndicator: 15,
  /** Emoji characters that start an emoji token. */
  Emoji: 16,
} as const;

export type WordBreakClass = (typeof WordBreakClass)[keyof typeof WordBreakClass];

const extendPattern = /^[\p{Grapheme_Extend}\p{Mc}\u200d]$/u;
// WB Format is Cf without ZWSP, ZWNJ and ZWJ (ZWNJ is Extend, ZWJ its own class).
const formatPattern = /^(?![\u200b\u200c\u200d])\p{Cf}$/u;
const complexContextPattern =
  /^(?=[\p{L}\p{M}])[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tai_Le}\p{Script=New_Tai_Lue}\p{Script=Tai_Tham}\p{Script=Tai_Viet}\p{Script=Ahom}]$/u;
const hanPattern = /^\p{Script=Han}$/u;
const hiraganaPattern = /^\p{Script=Hiragana}$/u;
const katakanaPattern = /^[\p{Script=Katakana}\u3031-\u3035\u309b\u309c\u30a0\u30fc\uff70]$/u;
const hebrewLetterPattern = /^(?=\p{Script=Hebrew})\p{Lo}$/u;
const numericPattern = /^[\p{Nd}\u066b]$/u;
const letterPattern =
  /^[\p{Alphabetic}\u02c2-\u02c5\u02d2-\u02d7\u02de\u02df\u02e5-\u02eb\u02ed\u02ef-\u02ff\u055a-\u055c\u055e\u058a\u05f3\ua708-\ua716\ua720\ua721\ua789\ua78a\uab5b]$/u;
const midLetterChars = new Set([0x3a, 0xb7, 0x387, 0x5f4, 0x2027, 0xfe13, 0xfe55, 0xff1a]);
const midNumChars = new Set([
  0x2c, 0x3b, 0x37e, 0x589, 0x60c, 0x60d, 0x66c, 0x7f8, 0x2044, 0xfe10, 0xfe14, 0xfe50, 0xfe54, 0xff0c, 0xff1b,
]);
const midNumLetChars = new Set([0x2e, 0x2018, 0x2019, 0x2024, 0xfe52, 0xff07, 0xff0e]);
const extendNumLetPattern = /^\p{Pc}$/u;
const regionalIndicatorPattern = /^\p{Regional_Indicator}$/u;
// Lucene's emoji starts: Extended_Pictographic, a skin-tone modifier, or Emoji minus digits/#/*
// and the "accidental" emoji © ® ™ 〰 〽 (which Extended_Pictographic still covers, so Lucene
// does emit © ® ™ as tokens). Regional indicators are classified before this test.
const emojiPattern = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|(?![0-9#*\u3030\u303d\u00a9\u00ae\u2122])\p{Emoji})$/u;

function classifyUncached(codePoint: number): WordBreakClass {
  const char = String.fromCodePoint(codePoint);
  if (extendPattern.test(char) || formatPattern.test(char)) return WordBreakClass.ExtendFormat;
  if (complexContextPattern.test(char)) return WordBreakClass.ComplexContext;
  if (hanPattern.test(char)) return WordBreakClass.Han;
  if (hiraganaPattern.test(char)) return WordBreakClass.Hiragana;
  if (katakanaPattern.test(char)) return WordBreakClass.Katakana;
  if (hebrewLetterPattern.test(char)) return WordBreakClass.HebrewLetter;
  if (numericPattern.test(char)) return WordBreakClass.Numeric;
  if (letterPattern.test(char)) return WordBreakClass.Letter;
  if (codePoint === 0x27) return WordBreakClass.SingleQuote;
  if (codePoint === 0x22) return WordBreakClass.DoubleQuote;
  if (midLetterChars.has(codePoint)) return WordBreakClass.MidLetter;
  if (midNumChars.has(codePoint)) return WordBreakClass.MidNum;
  if (midNumLetChars.has(codePoint)) return WordBreakClass.MidNumLet;
  if (extendNumLetPattern.test(char)) return WordBreakClass.ExtendNumLet;
  if (regionalIndicatorPattern.test(char)) return WordBreakClass.RegionalIndicator;
  if (emojiPattern.test(char)) return WordBreakClass.Emoji;
  return WordBreakClass.Other;
}

// Regex tests are slow next to a table lookup; the BMP is cached lazily (0xff = not yet known).
const bmpCache = new Uint8Array(0x10000).fill(0xff);
const astralCache = new Map<number, WordBreakClass>();

/** The word-break class of a code point. */
export function wordBreakClassOf(codePoint: number): WordBreakClass {
  if (codePoint < 0x10000) {
    const cached = bmpCache[codePoint];
    if (cached !== 0xff) return cached as WordBreakClass;
    const computed = classifyUncached(codePoint);
    bmpCache[codePoint] = computed;
    return computed;
  }
  let computed = astralCache.get(codePoint);
  if (computed === undefined) {
    computed = classifyUncached(codePoint);
    astralCache.set(codePoint, computed);
  }
  return computed;
}

export const zeroWidthJoiner = 0x200d;
const emojiModifierPattern = /^\p{Emoji_Modifier}$/u;

export function isEmojiModifier(codePoint: number): boolean {
  return emojiModifierPattern.test(String.fromCodePoint(codePoint));
}

/** Tag characters (U+E0020–U+E007F) that spell out subdivision flags after a base emoji. */
export function isEmojiTag(codePoint: number): boolean {
  return codePoint >= 0xe0020 && codePoint <= 0xe007f;
}
