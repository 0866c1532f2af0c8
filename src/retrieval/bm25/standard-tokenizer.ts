import { WordBreakClass, isEmojiModifier, isEmojiTag, wordBreakClassOf, zeroWidthJoiner } from "./word-break-classes.js";

/**
 * Splits text into words the way Lucene's StandardTokenizer does (UAX #29 word boundaries, as
 * in Lucene 9): letters and digits join (`p53`, `1.5mg`), `.` `'` `’` join letters to letters
 * and digits to digits (`e.g`, `u.s`, `3.14`, `1,000`), `:` and `·` join letters, `_` joins
 * anything word-like, hyphens and slashes split; Han and Hiragana characters are one token
 * each; Thai/Lao/Khmer/Myanmar runs stay whole; emoji are tokens; punctuation and symbols are
 * dropped. Tokens longer than `maxTokenLength` UTF-16 units are cut into pieces of that length,
 * as Lucene's scanner buffer cuts them. Case is kept.
 */
export function tokenizeStandard(text: string, maxTokenLength = 255): string[] {
  const tokens: string[] = [];
  const emit = (start: number, end: number): void => {
    for (let from = start; from < end; from += maxTokenLength) tokens.push(text.slice(from, Math.min(end, from + maxTokenLength)));
  };
  const length = text.length;
  let position = 0;
  while (position < length) {
    const codePoint = text.codePointAt(position)!;
    const width = codePoint > 0xffff ? 2 : 1;
    const wordClass = wordBreakClassOf(codePoint);
    let end = position;
    switch (wordClass) {
      case WordBreakClass.Letter:
      case WordBreakClass.HebrewLetter:
      case WordBreakClass.Numeric:
      case WordBreakClass.Katakana:
      case WordBreakClass.ExtendNumLet:
        end = scanWord(text, position);
        break;
      case WordBreakClass.ComplexContext:
        end = scanWhile(text, position, (next) => next === WordBreakClass.ComplexContext || next === WordBreakClass.ExtendFormat);
        break;
      case WordBreakClass.Han:
      case WordBreakClass.Hiragana:
        end = skipExtendFormat(text, position + width);
        break;
      case WordBreakClass.RegionalIndicator: {
        // A flag is a pair of regional indicators; a lone one is dropped.
        const second = skipExtendFormat(text, position + width);
        if (second < length && wordBreakClassOf(text.codePointAt(second)!) === WordBreakClass.RegionalIndicator) {
          end = skipExtendFormat(text, second + 2);
        }
        break;
      }
      case WordBreakClass.Emoji:
        end = scanEmoji(text, position);
        break;
      default:
        end = scanKeycap(text, position, codePoint);
    }
    if (end > position) {
      emit(position, end);
      position = end;
    } else {
      position += width;
    }
  }
  return tokens;
}

// What the word scanner consumed last; extension rules depend on it.
const enum Previous {
  Nothing,
  Letter,
  Numeric,
  Katakana,
  Connector,
  HebrewQuote,
}

/**
 * Longest match of Lucene's word rule from `start` (the end index, or `start` if nothing
 * matches):  ENL* (Katakana-run | (Letter-run | Number-run | Hebrew-quote)+) (ENL+ …)* ENL*
 * where a letter run joins letters with MidLetter/MidNumLet/'; a number run joins digits with
 * MidNum/MidNumLet/'; letters and digits join directly; Extend/Format characters ride along.
 */
function scanWord(text: string, start: number): number {
  const length = text.length;
  let position = start;
  let previous = Previous.Nothing;
  let hebrew = false;
  let hasUnit = false;
  let matchEnd = start;
  while (position < length) {
    const codePoint = text.codePointAt(position)!;
    const width = codePoint > 0xffff ? 2 : 1;
    const wordClass = wordBreakClassOf(codePoint);
    if (wordClass === WordBreakClass.ExtendFormat) {
      if (previous === Previous.Nothing) break;
      position += width;
      if (hasUnit) matchEnd = position;
      continue;
    }
    if (wordClass === WordBreakClass.Letter || wordClass === WordBreakClass.HebrewLetter || wordClass === WordBreakClass.Numeric) {
      if (previous === Previous.Katakana) break;
      previous = wordClass === WordBreakClass.Numeric ? Previous.Numeric : Previous.Letter;
      hebrew = wordClass === WordBreakClass.HebrewLetter;
    } else if (wordClass === WordBreakClass.Katakana) {
      if (previous !== Previous.Nothing && previous !== Previous.Katakana && previous !== Previous.Connector) break;
      previous = Previous.Katakana;
    } else if (wordClass === WordBreakClass.ExtendNumLet) {
      previous = Previous.Connector;
      position += width;
      if (hasUnit) matchEnd = position;
      continue;
    } else {
      // A mid character joins only when the right kind of character follows it.
      const afterMid = skipExtendFormat(text, position + width);
      const nextClass = afterMid < length ? wordBreakClassOf(text.codePointAt(afterMid)!) : WordBreakClass.Other;
      const nextIsLetter = nextClass === WordBreakClass.Letter || nextClass === WordBreakClass.HebrewLetter;
      const joinsLetters =
        previous === Previous.Letter &&
        nextIsLetter &&
        (wordClass === WordBreakClass.MidLetter || wordClass === WordBreakClass.MidNumLet || wordClass === WordBreakClass.SingleQuote);
      const joinsDigits =
        previous === Previous.Numeric &&
        nextClass === WordBreakClass.Numeric &&
        (wordClass === WordBreakClass.MidNum || wordClass === WordBreakClass.MidNumLet || wordClass === WordBreakClass.SingleQuote);
      const joinsHebrew =
        previous === Previous.Letter && hebrew && wordClass === WordBreakClass.DoubleQuote && nextClass === WordBreakClass.HebrewLetter;
      if (joinsLetters || joinsDigits || joinsHebrew) {
        position = afterMid;
        continue;
      }
      if (previous === Previous.Letter && hebrew && wordClass === WordBreakClass.SingleQuote) {
        // WB7a: a Hebrew letter keeps a trailing apostrophe.
        previous = Previous.HebrewQuote;
        position = afterMid;
        matchEnd = position;
        continue;
      }
      break;
    }
    position += width;
    hasUnit = true;
    matchEnd = position;
  }
  return hasUnit ? matchEnd : start;
}

/** An emoji, with its presentation selector, skin-tone modifier, ZWJ-joined emoji or tag sequence. */
function scanEmoji(text: string, start: number): number {
  const length = text.length;
  let position = skipExtendFormat(text, start + (text.codePointAt(start)! > 0xffff ? 2 : 1));
  while (position < length) {
    const codePoint = text.codePointAt(position)!;
    const width = codePoint > 0xffff ? 2 : 1;
    if (isEmojiModifier(codePoint) || isEmojiTag(codePoint)) {
      position = skipExtendFormat(text, position + width);
      continue;
    }
    // skipExtendFormat already consumed a ZWJ; join when an emoji follows it.
    const previous = text.codePointAt(position - 1);
    if (previous === zeroWidthJoiner && wordBreakClassOf(codePoint) === WordBreakClass.Emoji) {
      position = skipExtendFormat(text, position + width);
      continue;
    }
    break;
  }
  return position;
}

/** `#⃣` / `*⃣` keycaps (digits with U+20E3 already ride along as Extend in the word rule). */
function scanKeycap(text: string, start: number, codePoint: number): number {
  if (codePoint !== 0x23 && codePoint !== 0x2a) return start;
  let position = start + 1;
  if (text.charCodeAt(position) === 0xfe0f) position++;
  if (text.charCodeAt(position) !== 0x20e3) return start;
  return skipExtendFormat(text, position + 1);
}

function skipExtendFormat(text: string, start: number): number {
  return scanWhile(text, start, (wordClass) => wordClass === WordBreakClass.ExtendFormat);
}

function scanWhile(text: string, start: number, accept: (wordClass: WordBreakClass) => boolean): number {
  let position = start;
  while (position < text.length) {
    const codePoint = text.codePointAt(position)!;
    if (!accept(wordBreakClassOf(codePoint))) break;
    position += codePoint > 0xffff ? 2 : 1;
  }
  return position;
}
