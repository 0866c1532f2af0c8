import { stemmer } from "stemmer";
import { tokenizeStandard } from "./standard-tokenizer.js";

/** Turns text into index terms. The same analyzer must be used for documents and queries. */
export interface TextAnalyzer {
  /** Identifies the analysis chain; stored in persisted indexes so a mismatch is caught on load. */
  readonly id: string;
  analyze(text: string): string[];
}

/** Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET` (the set Anserini/Pyserini use by default). */
export const englishStopwords: ReadonlySet<string> = new Set([
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
  "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
]);

export interface EnglishAnalyzerOptions {
  /** Words dropped after lowercasing (default: {@link englishStopwords}; pass an empty set to keep all). */
  stopwords?: ReadonlySet<string>;
  /** Porter-stem each term (default true). */
  stem?: boolean;
}

/** Analyzer id of the default chain, as stored in index files. */
export const englishAnalyzerId = "lucene-english/1";

// Stemming is the costly step and vocabularies are small next to token counts; cap the memo so a
// huge corpus cannot grow it without bound.
const stemMemoLimit = 500_000;

/**
 * The analysis chain of Lucene's EnglishAnalyzer as Anserini configures it (its
 * DefaultEnglishAnalyzer): StandardTokenizer → English possessive filter (drops a trailing
 * 's / ’s / ＇s) → lowercase (per code point, like Java's Character.toLowerCase) → stopwords →
 * Porter stemmer.
 */
export function createEnglishAnalyzer(options: EnglishAnalyzerOptions = {}): TextAnalyzer {
  const stopwords = options.stopwords ?? englishStopwords;
  const stem = options.stem ?? true;
  const isDefault = options.stopwords === undefined && stem;
  const memo = new Map<string, string>();
  const stemTerm = (term: string): string => {
    let stemmed = memo.get(term);
    if (stemmed === undefined) {
      if (memo.size >= stemMemoLimit) memo.clear();
      stemmed = porterStem(term);
      memo.set(term, stemmed);
    }
    return stemmed;
  };
  return {
    id: isDefault ? englishAnalyzerId : `${englishAnalyzerId}+custom(stem=${stem},stopwords=${[...stopwords].sort().join("|")})`,
    analyze(text: string): string[] {
      const terms: string[] = [];
      for (const token of tokenizeStandard(text)) {
        const term = lowerCaseLikeJava(removePossessive(token));
        if (term.length === 0 || stopwords.has(term)) continue;
        terms.push(stem ? stemTerm(term) : term);
      }
      return terms;
    },
  };
}

/** Lucene's EnglishPossessiveFilter: strips a trailing `'s`, `’s` or `＇s` (either case of s). */
export function removePossessive(token: string): string {
  const length = token.length;
  if (length < 2) return token;
  const last = token.charCodeAt(length - 1);
  const quote = token.charCodeAt(length - 2);
  if ((last === 0x73 || last === 0x53) && (quote === 0x27 || quote === 0x2019 || quote === 0xff07)) return token.slice(0, -2);
  return token;
}

/**
 * Lowercases each code point on its own, as Lucene's LowerCaseFilter (Character.toLowerCase)
 * does: no final-sigma rule (Σ → σ everywhere) and İ → i rather than "i̇".
 */
export function lowerCaseLikeJava(token: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/.test(token)) return token.toLowerCase();
  let lowered = "";
  for (const char of token) {
    if (char === "\u0130") {
      lowered += "i";
      continue;
    }
    lowered += char.toLowerCase();
  }
  return lowered;
}

// Where the `stemmer` package and Lucene's PorterStemmer disagree. Compared on every string of
// 3–5 letters over 24 letters and on the whole SciFact vocabulary, the package differs only when
// the word *is* a suffix (its regexes need a non-empty stem; Lucene's allow an empty one) and on
// "yy" before -ed/-ing (Lucene's consonant test makes the second y a vowel), which no English
// word has.
const luceneBareSuffixStems = new Map([
  ["eed", "eed"],
  ["eeds", "eed"],
  ["ies", "i"],
  ["sses", "ss"],
]);

/**
 * Porter stemming as Lucene's PorterStemmer does it: the `stemmer` package (the same reference
 * algorithm, with Porter's published departures such as -bli → -ble and -logi → -log) plus the
 * few corrections above. Words of one or two characters are left alone.
 */
export function porterStem(term: string): string {
  return luceneBareSuffixStems.get(term) ?? stemmer(term);
}
