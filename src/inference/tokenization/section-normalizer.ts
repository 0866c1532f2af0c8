/**
 * BertNormalizer over a whole section (the text between two added tokens), in the reference's
 * order of operations: clean, pad CJK, NFD the section, drop Mn, lowercase.
 *
 * The tokenizer's fast path normalizes character by character (char-classes.ts). That is exact
 * except under accent stripping, whose NFD runs over the whole section: canonical reordering can
 * move a surviving (spacing) combining mark, or hand it another character's span. A text with
 * such a mark is redone with this slower function.
 */
import type { BertNormalizerOptions } from "./char-classes.js";
import {
  compareCombiningClass,
  decompose,
  isBertControl,
  isBertWhitespace,
  isChineseChar,
  isNonStarter,
  isNonspacingMark,
  lowercase,
} from "./unicode-classes.js";

/** Normalized characters, each with the UTF-16 span of the original text it came from. */
export interface NormalizedSection {
  chars: string[];
  starts: number[];
  ends: number[];
}

export function normalizeSection(text: string, from: number, to: number, normalizer: BertNormalizerOptions | null): NormalizedSection {
  const cleaned = cleanAndPad(text, from, to, normalizer);
  const { cps, starts, ends } = normalizer?.stripAccents ? stripAccents(cleaned) : cleaned;
  const chars = cps.map((cp) => (normalizer?.lowercase ? lowercase(cp) : String.fromCodePoint(cp)));
  return { chars, starts, ends };
}

interface CodePoints {
  cps: number[];
  starts: number[];
  ends: number[];
}

/** Code points after clean_text and CJK padding, with the original span of each. */
function cleanAndPad(text: string, from: number, to: number, normalizer: BertNormalizerOptions | null): CodePoints {
  const cps: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = from; i < to; ) {
    let cp = text.codePointAt(i) as number;
    const end = i + (cp > 0xffff ? 2 : 1);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const start = i;
    i = end;
    if (normalizer?.cleanText) {
      if (cp === 0 || cp === 0xfffd || isBertControl(cp)) continue;
      if (isBertWhitespace(cp)) cp = 0x20;
    }
    if (normalizer?.handleChineseChars && isChineseChar(cp)) {
      cps.push(0x20, cp, 0x20);
      starts.push(start, start, start);
      ends.push(end, end, end);
    } else {
      cps.push(cp);
      starts.push(start);
      ends.push(end);
    }
  }
  return { cps, starts, ends };
}

/** NFD with canonical reordering, then nonspacing marks removed. */
function stripAccents(section: CodePoints): CodePoints {
  // NFD as the reference computes it: each character's decomposition, its first piece marked
  // as replacing the character and the others as inserted; then a stable sort by combining
  // class of every run of non-starters, marks moving with their flags.
  const pieces: number[] = [];
  const inserted: boolean[] = [];
  for (const cp of section.cps) {
    let first = true;
    for (const piece of decompose(cp)) {
      const p = piece.codePointAt(0) as number;
      let at = pieces.length;
      if (isNonStarter(p)) {
        while (at > 0 && isNonStarter(pieces[at - 1]) && compareCombiningClass(pieces[at - 1], p) > 0) at--;
      }
      pieces.splice(at, 0, p);
      inserted.splice(at, 0, !first);
      first = false;
    }
  }
  // The reference aligns by position, not by origin: a replacing piece takes the span of the
  // next original character, an inserted one repeats the span before it. Reordered marks
  // therefore trade spans, and the kept ones carry that into token offsets.
  const kept: CodePoints = { cps: [], starts: [], ends: [] };
  let source = -1;
  for (let k = 0; k < pieces.length; k++) {
    if (!inserted[k] || source < 0) source++;
    if (isNonspacingMark(pieces[k])) continue;
    kept.cps.push(pieces[k]);
    kept.starts.push(section.starts[source]);
    kept.ends.push(section.ends[source]);
  }
  return kept;
}
