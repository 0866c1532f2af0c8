/**
 * Character classes of the Hugging Face `tokenizers` (Rust) BertNormalizer and BertPreTokenizer.
 *
 * The reference classifies characters with Unicode tables frozen years ago, so JavaScript's
 * `\p{…}` escapes (current Unicode) disagree with it on several hundred newer or re-categorized
 * code points. The sets here are recorded from the reference itself (see
 * scripts/generate-unicode-tables.ts) and therefore do not move with Node's ICU.
 */
import {
  referenceChinese,
  referenceControl,
  referenceDecomposable,
  referenceLowercaseExceptions,
  referenceNonStarter,
  referenceNonspacingMark,
  referencePunctuation,
  referenceWhitespace,
} from "./unicode-tables.generated.js";

class CodePointSet {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  constructor(encoded: string) {
    const pairs = encoded.length === 0 ? [] : encoded.split(" ");
    this.starts = new Int32Array(pairs.length);
    this.ends = new Int32Array(pairs.length);
    let previousEnd = 0;
    pairs.forEach((pair, k) => {
      const [gap, length] = pair.split(",").map((part) => parseInt(part, 36));
      this.starts[k] = previousEnd + gap;
      previousEnd = this.ends[k] = this.starts[k] + length;
    });
  }

  has(cp: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < this.starts[mid]) hi = mid - 1;
      else if (cp >= this.ends[mid]) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

const control = new CodePointSet(referenceControl);
const whitespace = new CodePointSet(referenceWhitespace);
const punctuation = new CodePointSet(referencePunctuation);
const nonspacingMark = new CodePointSet(referenceNonspacingMark);
const decomposable = new CodePointSet(referenceDecomposable);
const nonStarter = new CodePointSet(referenceNonStarter);
const chinese = new CodePointSet(referenceChinese);
const lowercaseExceptions = new Map(referenceLowercaseExceptions);

/**
 * Dropped by clean_text: control, format, private-use characters, NUL and U+FFFD. Tab, newline
 * and carriage return are Cc but count as whitespace, so they are not in the set.
 */
export function isBertControl(cp: number): boolean {
  return control.has(cp);
}

/** Rust's `char::is_whitespace`: clean_text maps these to a space, the pre-tokenizer splits on them. */
export function isBertWhitespace(cp: number): boolean {
  return whitespace.has(cp);
}

/** Unicode punctuation, plus ASCII symbols such as `$`, `+`, `^` that BERT isolates too. */
export function isBertPunctuation(cp: number): boolean {
  return punctuation.has(cp);
}

/**
 * CJK ideographs, padded with spaces by handle_chinese_chars. The reference checks code points,
 * so ideographs outside the BMP count, and its Extension E range starts at U+2B920 rather than
 * Google BERT's U+2B820.
 */
export function isChineseChar(cp: number): boolean {
  return chinese.has(cp);
}

/** Removed by strip_accents after NFD. */
export function isNonspacingMark(cp: number): boolean {
  return nonspacingMark.has(cp);
}

/** Canonical combining class above zero: NFD may move it among its neighbours. */
export function isNonStarter(cp: number): boolean {
  return nonStarter.has(cp);
}

/**
 * The reference's canonical decomposition of one code point. Decomposition mappings never
 * change once assigned, so JavaScript's NFD is right for every character the reference
 * decomposes; characters newer than its tables stay as they are.
 */
export function decompose(cp: number): string {
  const s = String.fromCodePoint(cp);
  return decomposable.has(cp) ? s.normalize("NFD") : s;
}

/** Rust's `char::to_lowercase`: per character, so a final capital sigma still becomes σ. */
export function lowercase(cp: number): string {
  return lowercaseExceptions.get(cp) ?? String.fromCodePoint(cp).toLowerCase();
}

/**
 * Compares the canonical combining classes of two non-starters, read off JavaScript's NFD
 * (combining classes never change once assigned): negative when `a` sorts first.
 */
export function compareCombiningClass(a: number, b: number): number {
  const ab = "A" + String.fromCodePoint(a) + String.fromCodePoint(b);
  if (ab.normalize("NFD") !== ab) return 1;
  const ba = "A" + String.fromCodePoint(b) + String.fromCodePoint(a);
  if (ba.normalize("NFD") !== ba) return -1;
  return 0;
}
