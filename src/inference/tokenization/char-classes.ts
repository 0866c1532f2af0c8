import {
  decompose,
  isBertControl,
  isBertPunctuation,
  isBertWhitespace,
  isChineseChar,
  isNonStarter,
  isNonspacingMark,
  lowercase,
} from "./unicode-classes.js";

/** The BertNormalizer settings in effect, with `strip_accents: null` already resolved. */
export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

/** What one original character turns into once normalized and pre-tokenized. */
export const charKind = {
  /** Removed by clean_text or accent stripping: it joins the halves of a word around it. */
  drop: 0,
  /** Ends the pending word. */
  space: 1,
  /** One punctuation character: a word of its own. */
  punct: 2,
  /** Part of the pending word. */
  word: 3,
  /** Isolated (CJK), or normalizes to characters of mixed classes: handled one by one. */
  complex: 4,
} as const;

export type CharKind = (typeof charKind)[keyof typeof charKind];

export interface CharInfo {
  kind: CharKind;
  /** The character after clean_text, NFD + accent stripping and lowercasing. */
  norm: string;
  isolate: boolean;
  /**
   * Kept marks in `norm` that canonical ordering could move: per-character normalization is
   * exact only for a text without them (see section-normalizer.ts).
   */
  reorderable: number;
}

const dropped: CharInfo = { kind: charKind.drop, norm: "", isolate: false, reorderable: 0 };

/** One character through BertNormalizer in the reference's order, then classified. */
export function classifyChar(original: number, normalizer: BertNormalizerOptions | null): CharInfo {
  let cp = original;
  let isolate = false;
  let reorderable = 0;
  let norm = String.fromCodePoint(cp);
  if (normalizer !== null) {
    if (normalizer.cleanText) {
      if (cp === 0 || cp === 0xfffd || isBertControl(cp)) return dropped;
      if (isBertWhitespace(cp)) cp = 0x20;
    }
    isolate = normalizer.handleChineseChars && isChineseChar(cp);
    norm = String.fromCodePoint(cp);
    if (normalizer.stripAccents) {
      norm = "";
      for (const piece of decompose(cp)) {
        const p = piece.codePointAt(0) as number;
        if (isNonspacingMark(p)) continue;
        if (isNonStarter(p)) reorderable++;
        norm += piece;
      }
    }
    if (normalizer.lowercase) {
      let lowered = "";
      for (const piece of norm) lowered += lowercase(piece.codePointAt(0) as number);
      norm = lowered;
    }
  }
  if (norm.length === 0) return dropped;
  let spaces = 0;
  let puncts = 0;
  let chars = 0;
  for (const piece of norm) {
    const p = piece.codePointAt(0) as number;
    chars++;
    if (isBertWhitespace(p)) spaces++;
    else if (isBertPunctuation(p)) puncts++;
  }
  let kind: CharKind = charKind.complex;
  if (!isolate) {
    if (spaces === chars) kind = charKind.space;
    else if (puncts === 1 && chars === 1) kind = charKind.punct;
    else if (spaces === 0 && puncts === 0) kind = charKind.word;
  }
  return { kind, norm, isolate, reorderable };
}

/** `classifyChar` for one normalizer, computed once per code point on first sight. */
export class CharClassTable {
  private readonly bmp: (CharInfo | undefined)[] = new Array<CharInfo | undefined>(65536);
  private readonly astral = new Map<number, CharInfo>();

  constructor(readonly normalizer: BertNormalizerOptions | null) {}

  get(cp: number): CharInfo {
    if (cp < 65536) return (this.bmp[cp] ??= classifyChar(cp, this.normalizer));
    let info = this.astral.get(cp);
    if (info === undefined) {
      info = classifyChar(cp, this.normalizer);
      this.astral.set(cp, info);
    }
    return info;
  }
}
