import { charKind, CharClassTable, type BertNormalizerOptions, type CharInfo } from "./char-classes.js";
import { normalizeSection } from "./section-normalizer.js";
import { isBertPunctuation, isBertWhitespace } from "./unicode-classes.js";
import { buildWordPieceTrie, cellLayout, isWellFormed, walkTrie, type WordPieceTrie } from "./wordpiece-trie.js";

export type { BertNormalizerOptions } from "./char-classes.js";

/**
 * Token ids of one text without special tokens, and where each token came from: `starts[k]` and
 * `ends[k]` are UTF-16 indices into the original string, so `text.slice(starts[k], ends[k])` is
 * the text that produced token k (for a `##` piece, the part of the word it covers).
 */
export interface WordPieceEncoding {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

// The cell layout as module constants: V8 folds these in the WordPiece loops, whereas reading
// the imported bindings there cost about 10% of the fast path (bench/tokenizer.ts).
const { base: cellBase, check: cellCheck, id: cellId } = cellLayout;

const noLimit = Number.POSITIVE_INFINITY;

/** `run` when the pending word is in the word buffer rather than a run of the text. */
const bufferedWord = -1;

interface AddedTokenSpec {
  content: string;
  id: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalBoolean(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined) return fallback;
  return typeof value === "boolean" ? value : undefined;
}

/**
 * An exact, allocation-light reimplementation of the Hugging Face `tokenizers` pipeline
 * BertNormalizer → BertPreTokenizer → WordPiece (plus the splitting on added tokens that
 * precedes it), built for speed on the reranking hot path: an ASCII word is never copied or
 * turned into a string before WordPiece sees it, and the greedy longest match is one walk down
 * a double-array trie instead of one map lookup per candidate substring.
 *
 * Where the two reference implementations disagree, this follows the Rust library (the one the
 * Python `tokenizers` package wraps): lowercasing is per character (a word-final capital sigma
 * becomes σ, not ς), CJK ideographs outside the BMP are isolated, and characters are classified
 * with the Rust library's (older) Unicode tables rather than the current ones; see
 * unicode-classes.ts.
 */
export class BertWordPieceTokenizer {
  readonly unkId: number;
  readonly unkToken: string;
  readonly continuingSubwordPrefix: string;
  readonly maxInputCharsPerWord: number;
  readonly normalizer: BertNormalizerOptions | null;
  /** Largest id in the vocabulary or the added tokens, plus one. */
  readonly vocabSize: number;

  private readonly tokenIds: Map<string, number>;
  private readonly idTokens: string[];

  private readonly trieCells: Int32Array;
  private readonly trieAlphabet: Int32Array;
  /** The cell the continuing-subword prefix leads to, or -1 if no token has it. */
  private readonly continuationCell: number;

  private readonly charClasses: CharClassTable;
  /** 1 for an ASCII character that is part of a word and starts no added token. */
  private readonly asciiWord = new Uint8Array(128);
  /** The `charKind` of each ASCII character. */
  private readonly asciiKind = new Uint8Array(128);
  private readonly asciiNorm = new Uint16Array(128);
  /** The trie label of each normalized ASCII character (0 if no token contains it). */
  private readonly asciiLabel = new Int32Array(128);
  /** The token of an ASCII punctuation character, which is always a word of its own. */
  private readonly asciiPunctId = new Int32Array(128);

  /** Added tokens by first code unit, longest first (the reference matches leftmost-longest). */
  private readonly addedByFirstUnit = new Map<number, AddedTokenSpec[]>();
  private readonly addedFirstUnit = new Uint8Array(65536);

  // Scratch buffers reused across calls; `encode` copies the result out. A word that is a plain
  // run of ASCII text needs only `wordUnits`; one holding normalized non-ASCII characters also
  // records each unit's original span.
  private wordUnits = new Uint16Array(256);
  private wordStarts = new Int32Array(256);
  private wordEnds = new Int32Array(256);
  private wordLength = 0;
  private outIds = new Int32Array(256);
  private outStarts = new Int32Array(256);
  private outEnds = new Int32Array(256);
  private outCount = 0;

  private constructor(
    vocab: Map<string, number>,
    unkToken: string,
    continuingSubwordPrefix: string,
    maxInputCharsPerWord: number,
    normalizer: BertNormalizerOptions | null,
    addedTokens: AddedTokenSpec[],
  ) {
    this.unkToken = unkToken;
    this.unkId = vocab.get(unkToken) as number;
    this.continuingSubwordPrefix = continuingSubwordPrefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.normalizer = normalizer;
    this.charClasses = new CharClassTable(normalizer);

    const trie: WordPieceTrie = buildWordPieceTrie(vocab);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    for (const added of addedTokens) maxId = Math.max(maxId, added.id);
    this.vocabSize = maxId + 1;
    this.idTokens = new Array<string>(this.vocabSize);
    for (const [token, id] of vocab) this.idTokens[id] ??= token;
    // The vocabulary map is ours alone (fromTokenizerJson built it); added tokens join it only
    // after the trie, which must not contain them.
    this.tokenIds = vocab;
    for (const added of addedTokens) {
      this.tokenIds.set(added.content, added.id);
      this.idTokens[added.id] = added.content;
    }
    this.trieCells = trie.cells;
    this.trieAlphabet = trie.alphabet;
    this.continuationCell = walkTrie(trie, 0, continuingSubwordPrefix);

    for (const added of addedTokens) {
      const first = added.content.charCodeAt(0);
      const list = this.addedByFirstUnit.get(first) ?? [];
      list.push(added);
      list.sort((a, b) => b.content.length - a.content.length);
      this.addedByFirstUnit.set(first, list);
      this.addedFirstUnit[first] = 1;
    }
    for (let c = 0; c < 128; c++) {
      const info = this.charClasses.get(c);
      this.asciiKind[c] = info.kind;
      this.asciiWord[c] = info.kind === charKind.word && this.addedFirstUnit[c] === 0 ? 1 : 0;
      this.asciiNorm[c] = info.norm.length > 0 ? info.norm.charCodeAt(0) : 0;
      this.asciiLabel[c] = info.norm.length > 0 ? trie.alphabet[this.asciiNorm[c]] : 0;
      const cell = walkTrie(trie, 0, info.norm);
      const id = cell >= 0 ? trie.cells[cell * 4 + cellId] : -1;
      this.asciiPunctId[c] = id >= 0 && maxInputCharsPerWord >= 1 ? id : this.unkId;
    }
  }

  /**
   * A tokenizer for a parsed `tokenizer.json`, or null when it is not a pipeline this class
   * reproduces exactly (callers then use the library tokenizer). Truncation and padding settings
   * in the file are ignored, as the library's `encode` ignores them.
   */
  static fromTokenizerJson(json: unknown): BertWordPieceTokenizer | null {
    if (!isRecord(json)) return null;
    const model = json.model;
    if (!isRecord(model) || model.type !== "WordPiece" || !isRecord(model.vocab)) return null;
    const vocab = new Map<string, number>();
    const vocabJson = model.vocab;
    for (const token of Object.keys(vocabJson)) {
      const id = vocabJson[token];
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) return null;
      vocab.set(token, id);
    }
    const unkToken = model.unk_token ?? "[UNK]";
    if (typeof unkToken !== "string" || !vocab.has(unkToken)) return null;
    const prefix = model.continuing_subword_prefix ?? "##";
    if (typeof prefix !== "string") return null;
    const maxChars = model.max_input_chars_per_word ?? 100;
    if (typeof maxChars !== "number" || !Number.isInteger(maxChars) || maxChars < 0) return null;

    let normalizer: BertNormalizerOptions | null = null;
    if (json.normalizer !== null && json.normalizer !== undefined) {
      const n = json.normalizer;
      if (!isRecord(n) || n.type !== "BertNormalizer") return null;
      const cleanText = optionalBoolean(n.clean_text, true);
      const handleChineseChars = optionalBoolean(n.handle_chinese_chars, true);
      const lowercase = optionalBoolean(n.lowercase, true);
      const stripAccents = n.strip_accents === null ? lowercase : optionalBoolean(n.strip_accents, lowercase ?? true);
      if (cleanText === undefined || handleChineseChars === undefined || lowercase === undefined || stripAccents === undefined) {
        return null;
      }
      normalizer = { cleanText, handleChineseChars, stripAccents, lowercase };
    }

    const pre = json.pre_tokenizer;
    if (!isRecord(pre) || pre.type !== "BertPreTokenizer") return null;

    const addedTokens: AddedTokenSpec[] = [];
    const addedIds = new Map<string, number>();
    let largestAddedId = -1;
    const addedJson = json.added_tokens ?? [];
    if (!Array.isArray(addedJson)) return null;
    for (const added of addedJson) {
      if (!isRecord(added)) return null;
      const { content, id } = added;
      if (typeof content !== "string" || content.length === 0 || !isWellFormed(content)) return null;
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) return null;
      // Tokens matched after normalization, or that swallow neighbouring spaces, need the
      // library's full added-vocabulary logic.
      if (added.normalized !== false || added.lstrip === true || added.rstrip === true || added.single_word === true) {
        return null;
      }
      // The Rust library re-adds these tokens on load and ignores the ids in the file: content
      // in the vocabulary keeps its vocabulary id, anything else is numbered after the
      // vocabulary. A file that says otherwise makes the two libraries disagree.
      let expected = vocab.get(content) ?? addedIds.get(content);
      if (expected === undefined) {
        expected = largestAddedId < 0 ? vocab.size : largestAddedId >= vocab.size ? largestAddedId + 1 : vocab.size;
      }
      if (id !== expected) return null;
      addedIds.set(content, id);
      largestAddedId = Math.max(largestAddedId, id);
      addedTokens.push({ content, id });
    }

    return new BertWordPieceTokenizer(vocab, unkToken, prefix, maxChars, normalizer, addedTokens);
  }

  /** The id of a vocabulary or added token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idTokens[id];
  }

  /**
   * Tokenizes without special tokens. With `maxTokens`, stops once that many tokens exist and
   * returns the first `maxTokens` — the same ids as encoding everything and truncating, without
   * paying for the rest of a long document. The three arrays share one buffer.
   */
  encode(text: string, maxTokens = noLimit): WordPieceEncoding {
    this.tokenize(text, maxTokens);
    const count = Math.min(this.outCount, maxTokens);
    // Typed-array allocation dominates small results: one buffer costs less than three.
    const buffer = new ArrayBuffer(count * 12);
    const ids = new Int32Array(buffer, 0, count);
    const starts = new Int32Array(buffer, count * 4, count);
    const ends = new Int32Array(buffer, count * 8, count);
    ids.set(this.outIds.subarray(0, count));
    starts.set(this.outStarts.subarray(0, count));
    ends.set(this.outEnds.subarray(0, count));
    return { ids, starts, ends };
  }

  /** `encode(text, maxTokens).ids` without the offsets. */
  encodeIds(text: string, maxTokens = noLimit): Int32Array {
    this.tokenize(text, maxTokens);
    return this.outIds.slice(0, Math.min(this.outCount, maxTokens));
  }

  /** Fills the output buffers; `outCount` may exceed `maxTokens` by the rest of one word. */
  private tokenize(text: string, maxTokens: number): void {
    if (!(maxTokens >= 0)) throw new RangeError(`maxTokens must be a non-negative number, got ${maxTokens}`);
    if (this.wordUnits.length < text.length + 16) this.growWord(text.length + 16);
    this.outCount = 0;
    this.wordLength = 0;
    const reorderable = this.tokenizeByCharacter(text, maxTokens);
    if (reorderable > 0) this.tokenizeWholeSections(text, maxTokens);
  }

  /**
   * The fast path: normalizes and splits one character at a time, and runs WordPiece on each
   * word as it ends. Returns how many marks it met that canonical reordering could move; the
   * result is exact only when there were none.
   */
  private tokenizeByCharacter(text: string, maxTokens: number): number {
    const length = text.length;
    const asciiWord = this.asciiWord;
    const asciiNorm = this.asciiNorm;
    const addedFirstUnit = this.addedFirstUnit;
    // The pending word is the ASCII run text[run, i), or in wordUnits when run is `bufferedWord`.
    let run = 0;
    let reorderable = 0;
    let i = 0;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c < 128 && asciiWord[c] === 1) {
        if (run === bufferedWord) this.pushUnit(asciiNorm[c], i, i + 1);
        i++;
        continue;
      }
      const added = addedFirstUnit[c] === 1 ? this.matchAdded(text, i) : undefined;
      if (added !== undefined) {
        this.endWord(text, run, i);
        const end = i + added.content.length;
        this.emit(added.id, i, end);
        run = end;
        i = end;
      } else if (c < 128) {
        run = this.asciiChar(text, c, run, i);
        i++;
      } else {
        let cp = text.codePointAt(i) as number;
        const end = i + (cp > 0xffff ? 2 : 1);
        // The reference receives UTF-8, where a lone surrogate has become U+FFFD.
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        const info = this.charClasses.get(cp);
        run = this.otherChar(text, info, run, i, end);
        reorderable += info.reorderable;
        i = end;
      }
      if (this.outCount >= maxTokens) break;
    }
    if (this.outCount < maxTokens) this.endWord(text, run, i);
    return reorderable;
  }

  /** An ASCII character that is not a plain word character, at text[i]; returns the new `run`. */
  private asciiChar(text: string, c: number, run: number, i: number): number {
    switch (this.asciiKind[c]) {
      case charKind.word:
        // It starts an added token that is not there.
        if (run === bufferedWord) this.pushUnit(this.asciiNorm[c], i, i + 1);
        return run;
      case charKind.drop:
        return this.dropChar(text, run, i, i + 1);
      case charKind.punct:
        this.endWord(text, run, i);
        this.emit(this.asciiPunctId[c], i, i + 1);
        return i + 1;
      default:
        this.endWord(text, run, i);
        return i + 1;
    }
  }

  /** A non-ASCII character, text[i, end); returns the new `run`. */
  private otherChar(text: string, info: CharInfo, run: number, i: number, end: number): number {
    switch (info.kind) {
      case charKind.word:
        if (run !== bufferedWord) this.bufferRun(text, run, i);
        this.pushNormalized(info.norm, i, end, text.length - end);
        return bufferedWord;
      case charKind.drop:
        return this.dropChar(text, run, i, end);
      case charKind.space:
        this.endWord(text, run, i);
        return end;
      case charKind.punct:
        this.endWord(text, run, i);
        this.pushNormalized(info.norm, i, end, text.length - end);
        this.flushBuffered();
        return end;
      default:
        if (run !== bufferedWord) this.bufferRun(text, run, i);
        this.appendComplex(info.norm, info.isolate, i, end, text.length - end);
        return bufferedWord;
    }
  }

  /**
   * A character that normalizes to nothing, text[i, end): it joins the halves of the word
   * around it, which is then no longer one run of the text. Returns the new `run`.
   */
  private dropChar(text: string, run: number, i: number, end: number): number {
    if (run === bufferedWord) return run;
    if (i > run) {
      this.bufferRun(text, run, i);
      return bufferedWord;
    }
    return end;
  }

  /**
   * The exact path when canonical reordering can matter: the reference's order of operations
   * applied to whole sections, the text between added tokens (see section-normalizer.ts).
   */
  private tokenizeWholeSections(text: string, maxTokens: number): void {
    this.outCount = 0;
    this.wordLength = 0;
    let sectionStart = 0;
    let i = 0;
    while (i < text.length && this.outCount < maxTokens) {
      const added = this.addedFirstUnit[text.charCodeAt(i)] === 1 ? this.matchAdded(text, i) : undefined;
      if (added === undefined) {
        i++;
        continue;
      }
      this.tokenizeSection(text, sectionStart, i);
      if (this.outCount >= maxTokens) break;
      this.emit(added.id, i, i + added.content.length);
      i += added.content.length;
      sectionStart = i;
    }
    if (this.outCount < maxTokens) this.tokenizeSection(text, sectionStart, text.length);
  }

  private tokenizeSection(text: string, from: number, to: number): void {
    const { chars, starts, ends } = normalizeSection(text, from, to, this.normalizer);
    for (let k = 0; k < chars.length; k++) this.appendComplex(chars[k], false, starts[k], ends[k], 0);
    this.flushBuffered();
  }

  /** Feeds normalized characters one by one through the pre-tokenizer's split rules. */
  private appendComplex(norm: string, isolate: boolean, start: number, end: number, reserve: number): void {
    if (isolate) this.flushBuffered();
    for (let k = 0; k < norm.length; ) {
      const cp = norm.codePointAt(k) as number;
      const piece = norm.slice(k, k + (cp > 0xffff ? 2 : 1));
      if (isBertWhitespace(cp)) {
        this.flushBuffered();
      } else if (isBertPunctuation(cp)) {
        this.flushBuffered();
        this.pushNormalized(piece, start, end, reserve);
        this.flushBuffered();
      } else {
        this.pushNormalized(piece, start, end, reserve);
      }
      k += piece.length;
    }
    if (isolate) this.flushBuffered();
  }

  private pushUnit(unit: number, start: number, end: number): void {
    const k = this.wordLength++;
    this.wordUnits[k] = unit;
    this.wordStarts[k] = start;
    this.wordEnds[k] = end;
  }

  /** Appends units that all come from text[start, end), keeping room for `reserve` more. */
  private pushNormalized(norm: string, start: number, end: number, reserve: number): void {
    const needed = this.wordLength + norm.length + reserve;
    if (this.wordUnits.length < needed) this.growWord(2 * needed);
    for (let k = 0; k < norm.length; k++) this.pushUnit(norm.charCodeAt(k), start, end);
  }

  /** Moves the ASCII run text[from, to) into the (empty) word buffer. */
  private bufferRun(text: string, from: number, to: number): void {
    const asciiNorm = this.asciiNorm;
    for (let k = from; k < to; k++) this.pushUnit(asciiNorm[text.charCodeAt(k)], k, k + 1);
  }

  private endWord(text: string, run: number, i: number): void {
    if (run === bufferedWord) {
      this.flushBuffered();
    } else if (i > run) {
      this.wordPieceRun(text, run, i);
    }
  }

  private flushBuffered(): void {
    if (this.wordLength > 0) this.wordPiece(this.wordLength);
    this.wordLength = 0;
  }

  /**
   * WordPiece for a word that is the ASCII run text[from, to), read straight from the text:
   * the common case, kept free of copies. Same algorithm as `wordPiece`; one loop for both,
   * over a buffer of trie labels, measured 7-16% slower on bench/tokenizer.ts.
   */
  private wordPieceRun(text: string, from: number, to: number): void {
    if (to - from > this.maxInputCharsPerWord) {
      this.emit(this.unkId, from, to);
      return;
    }
    if (this.outIds.length < this.outCount + (to - from)) this.growOut(2 * (this.outCount + to - from));
    const outIds = this.outIds;
    const outStarts = this.outStarts;
    const outEnds = this.outEnds;
    const cells = this.trieCells;
    const asciiLabel = this.asciiLabel;
    const first = this.outCount;
    let count = first;
    let start = from;
    while (start < to) {
      let s = start === from ? 0 : this.continuationCell;
      let bestEnd = -1;
      let bestId = -1;
      for (let j = start; j < to && s >= 0; j++) {
        const code = asciiLabel[text.charCodeAt(j)];
        if (code === 0) break;
        const t = cells[(s << 2) + cellBase] + code;
        if (cells[(t << 2) + cellCheck] !== s) break;
        s = t;
        const id = cells[(t << 2) + cellId];
        if (id >= 0) {
          bestId = id;
          bestEnd = j + 1;
        }
      }
      if (bestEnd < 0) {
        count = first;
        bestId = this.unkId;
        start = from;
        bestEnd = to;
      }
      outIds[count] = bestId;
      outStarts[count] = start;
      outEnds[count] = bestEnd;
      count++;
      start = bestEnd;
    }
    this.outCount = count;
  }

  /**
   * WordPiece on wordUnits[0, length): greedy longest match, the whole word to [UNK] when some
   * part matches nothing.
   */
  private wordPiece(length: number): void {
    const units = this.wordUnits;
    if (length > this.maxInputCharsPerWord) {
      // The limit counts characters, not UTF-16 units.
      let chars = length;
      for (let k = 0; k < length; k++) {
        const u = units[k];
        if (u >= 0xdc00 && u <= 0xdfff) chars--;
      }
      if (chars > this.maxInputCharsPerWord) {
        this.emit(this.unkId, this.wordStarts[0], this.wordEnds[length - 1]);
        return;
      }
    }
    if (this.outIds.length < this.outCount + length) this.growOut(2 * (this.outCount + length));
    const outIds = this.outIds;
    const outStarts = this.outStarts;
    const outEnds = this.outEnds;
    const cells = this.trieCells;
    const alphabet = this.trieAlphabet;
    const first = this.outCount;
    let count = first;
    let start = 0;
    while (start < length) {
      let s = start === 0 ? 0 : this.continuationCell;
      let bestEnd = -1;
      let bestId = -1;
      for (let j = start; j < length && s >= 0; j++) {
        const code = alphabet[units[j]];
        if (code === 0) break;
        const t = cells[(s << 2) + cellBase] + code;
        if (cells[(t << 2) + cellCheck] !== s) break;
        s = t;
        const id = cells[(t << 2) + cellId];
        if (id >= 0) {
          bestId = id;
          bestEnd = j + 1;
        }
      }
      if (bestEnd < 0) {
        count = first;
        bestId = this.unkId;
        start = 0;
        bestEnd = length;
      }
      outIds[count] = bestId;
      outStarts[count] = this.wordStarts[start];
      outEnds[count] = this.wordEnds[bestEnd - 1];
      count++;
      start = bestEnd;
    }
    this.outCount = count;
  }

  private emit(id: number, start: number, end: number): void {
    if (this.outIds.length <= this.outCount) this.growOut(2 * this.outCount + 16);
    this.outIds[this.outCount] = id;
    this.outStarts[this.outCount] = start;
    this.outEnds[this.outCount] = end;
    this.outCount++;
  }

  private growOut(capacity: number): void {
    const ids = new Int32Array(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    ids.set(this.outIds.subarray(0, this.outCount));
    starts.set(this.outStarts.subarray(0, this.outCount));
    ends.set(this.outEnds.subarray(0, this.outCount));
    this.outIds = ids;
    this.outStarts = starts;
    this.outEnds = ends;
  }

  private growWord(capacity: number): void {
    const units = new Uint16Array(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    units.set(this.wordUnits.subarray(0, this.wordLength));
    starts.set(this.wordStarts.subarray(0, this.wordLength));
    ends.set(this.wordEnds.subarray(0, this.wordLength));
    this.wordUnits = units;
    this.wordStarts = starts;
    this.wordEnds = ends;
  }

  private matchAdded(text: string, at: number): AddedTokenSpec | undefined {
    const candidates = this.addedByFirstUnit.get(text.charCodeAt(at));
    if (candidates === undefined) return undefined;
    for (const candidate of candidates) {
      if (text.startsWith(candidate.content, at)) return candidate;
    }
    return undefined;
  }
}
