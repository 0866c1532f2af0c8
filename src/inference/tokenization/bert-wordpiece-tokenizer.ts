import {
  compareCombiningClass,
  decompose,
  isBertControl,
  isBertPunctuation,
  isBertWhitespace,
  isChineseChar,
  isNonStarter,
  isNonspacingMark,
  lowercase,
} from "./unicode-classes.js";

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

/** The BertNormalizer settings in effect, with `strip_accents: null` already resolved. */
export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

/** What one original character turns into once normalized and pre-tokenized. */
const DROP = 0;
const SPACE = 1;
const PUNCT = 2;
const WORD = 3;
/** Isolated (CJK), or normalizes to characters of mixed classes: handled one by one. */
const COMPLEX = 4;
/** An ASCII character that starts some added token; its own class is in `asciiFallbackKind`. */
const ADDED_START = 5;

interface CharInfo {
  kind: number;
  /** The character after clean_text, NFD + accent stripping and lowercasing. */
  norm: string;
  isolate: boolean;
  /** Code points of `norm` that canonical ordering could move; see `encode`. */
  reorderable: number;
}

interface AddedTokenSpec {
  content: string;
  id: number;
}

const emptyInfo: CharInfo = { kind: DROP, norm: "", isolate: false, reorderable: 0 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `String.prototype.isWellFormed`, which the ES2023 lib we compile against does not declare. */
function isWellFormed(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const u = s.charCodeAt(k);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(k + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function optionalBoolean(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined) return fallback;
  return typeof value === "boolean" ? value : undefined;
}

/**
 * An exact, allocation-light reimplementation of the Hugging Face `tokenizers` pipeline
 * BertNormalizer → BertPreTokenizer → WordPiece (plus the splitting on added tokens that
 * precedes it), built for speed on the reranking hot path: pure-ASCII text never leaves a
 * char-code loop, and WordPiece's greedy longest match is a single walk down a trie instead of
 * one map lookup per candidate substring.
 *
 * Where the two reference implementations disagree, this follows the Rust library (the one the
 * Python `tokenizers` package wraps): lowercasing is per character (a word-final capital sigma
 * becomes σ, not ς), CJK ideographs outside the BMP are isolated, and the Extension E range
 * starts at U+2B920.
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

  // WordPiece trie over UTF-16 code units: node 0 is the root; edges live in an open-addressing
  // hash table keyed by (node, code unit) so that a step costs a couple of typed-array reads.
  private readonly nodeIds: Int32Array;
  private readonly edgeNode: Int32Array;
  private readonly edgeUnit: Uint16Array;
  private readonly edgeChild: Int32Array;
  private readonly edgeMask: number;
  private readonly edgeShift: number;
  /** The node reached by the continuing-subword prefix, or -1 if no token has it. */
  private readonly continuationRoot: number;

  private readonly asciiKind = new Uint8Array(128);
  private readonly asciiFallbackKind = new Uint8Array(128);
  private readonly asciiNorm = new Uint16Array(128);
  private readonly bmpInfo: (CharInfo | undefined)[] = new Array<CharInfo | undefined>(65536);
  private readonly astralInfo = new Map<number, CharInfo>();

  /** Added tokens by first code unit, longest first (the reference matches leftmost-longest). */
  private readonly addedByFirstUnit = new Map<number, AddedTokenSpec[]>();
  private readonly addedFirstUnit = new Uint8Array(65536);

  // Scratch buffers reused across calls; `encode` copies the result out.
  private wordUnits = new Uint16Array(256);
  private wordStarts = new Int32Array(256);
  private wordEnds = new Int32Array(256);
  private outIds = new Int32Array(256);
  private outStarts = new Int32Array(256);
  private outEnds = new Int32Array(256);
  private outCount = 0;
  private wordLength = 0;

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

    this.tokenIds = new Map(vocab);
    for (const added of addedTokens) this.tokenIds.set(added.content, added.id);
    let maxId = -1;
    for (const id of this.tokenIds.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.idTokens = new Array<string>(this.vocabSize);
    for (const [token, id] of vocab) this.idTokens[id] ??= token;
    for (const added of addedTokens) this.idTokens[added.id] = added.content;

    let units = 1;
    for (const token of vocab.keys()) units += token.length;
    const capacity = 1 << Math.max(4, Math.ceil(Math.log2(units * 2)));
    this.edgeMask = capacity - 1;
    this.edgeShift = 32 - Math.log2(capacity);
    this.edgeNode = new Int32Array(capacity).fill(-1);
    this.edgeUnit = new Uint16Array(capacity);
    this.edgeChild = new Int32Array(capacity);
    this.nodeIds = new Int32Array(units).fill(-1);
    let nodes = 1;
    for (const [token, id] of vocab) {
      // A token holding a lone surrogate can never match: the reference walks whole characters.
      if (!isWellFormed(token)) continue;
      let node = 0;
      for (let k = 0; k < token.length; k++) {
        const unit = token.charCodeAt(k);
        let child = this.child(node, unit);
        if (child < 0) {
          child = nodes++;
          let h = this.edgeHash(node, unit);
          while (this.edgeNode[h] !== -1) h = (h + 1) & this.edgeMask;
          this.edgeNode[h] = node;
          this.edgeUnit[h] = unit;
          this.edgeChild[h] = child;
        }
        node = child;
      }
      // The reference's vocabulary is a map, so the last duplicate key wins.
      this.nodeIds[node] = id;
    }
    let continuation = 0;
    for (let k = 0; k < continuingSubwordPrefix.length && continuation >= 0; k++) {
      continuation = this.child(continuation, continuingSubwordPrefix.charCodeAt(k));
    }
    this.continuationRoot = continuation;

    for (const added of addedTokens) {
      const first = added.content.charCodeAt(0);
      const list = this.addedByFirstUnit.get(first) ?? [];
      list.push(added);
      list.sort((a, b) => b.content.length - a.content.length);
      this.addedByFirstUnit.set(first, list);
      this.addedFirstUnit[first] = 1;
    }
    for (let c = 0; c < 128; c++) {
      const info = this.computeInfo(c);
      this.asciiFallbackKind[c] = info.kind;
      this.asciiKind[c] = this.addedFirstUnit[c] ? ADDED_START : info.kind;
      this.asciiNorm[c] = info.norm.length > 0 ? info.norm.charCodeAt(0) : 0;
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
    for (const [token, id] of Object.entries(model.vocab)) {
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
   * paying for the rest of a long document.
   */
  encode(text: string, maxTokens = Number.POSITIVE_INFINITY): WordPieceEncoding {
    const length = text.length;
    if (this.wordUnits.length < length + 16) this.growWord(length + 16);
    this.outCount = 0;
    const asciiKind = this.asciiKind;
    const asciiNorm = this.asciiNorm;
    let units = this.wordUnits;
    let starts = this.wordStarts;
    let ends = this.wordEnds;
    let wordLength = 0;
    // Accent stripping runs NFD over whole sections, whose canonical reordering can swap two
    // surviving (spacing) combining marks. Per-character normalization cannot see that, so a
    // text with two such marks is redone by the whole-section path.
    let reorderable = 0;

    let i = 0;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        let kind = asciiKind[c];
        if (kind === WORD) {
          units[wordLength] = asciiNorm[c];
          starts[wordLength] = i;
          ends[wordLength] = ++i;
          wordLength++;
          continue;
        }
        if (kind === ADDED_START) {
          const added = this.matchAdded(text, i);
          if (added !== undefined) {
            if (wordLength > 0) this.flushWord(wordLength);
            wordLength = 0;
            this.emit(added.id, i, i + added.content.length);
            i += added.content.length;
            if (this.outCount >= maxTokens) break;
            continue;
          }
          kind = this.asciiFallbackKind[c];
          if (kind === WORD) {
            units[wordLength] = asciiNorm[c];
            starts[wordLength] = i;
            ends[wordLength] = ++i;
            wordLength++;
            continue;
          }
        }
        if (kind === SPACE) {
          if (wordLength > 0) {
            this.flushWord(wordLength);
            wordLength = 0;
            if (this.outCount >= maxTokens) break;
          }
        } else if (kind === PUNCT) {
          if (wordLength > 0) this.flushWord(wordLength);
          units[0] = asciiNorm[c];
          starts[0] = i;
          ends[0] = i + 1;
          this.flushWord(1);
          wordLength = 0;
          if (this.outCount >= maxTokens) break;
        }
        i++;
        continue;
      }

      let cp = c;
      let charLength = 1;
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
          charLength = 2;
        } else {
          // The reference receives UTF-8, where a lone surrogate has become U+FFFD.
          cp = 0xfffd;
        }
      }
      if (this.addedFirstUnit[c] === 1) {
        const added = this.matchAdded(text, i);
        if (added !== undefined) {
          if (wordLength > 0) this.flushWord(wordLength);
          wordLength = 0;
          this.emit(added.id, i, i + added.content.length);
          i += added.content.length;
          if (this.outCount >= maxTokens) break;
          continue;
        }
      }
      const info = cp < 65536 ? (this.bmpInfo[cp] ??= this.computeInfo(cp)) : this.astralCharInfo(cp);
      const end = i + charLength;
      const kind = info.kind;
      if (kind === WORD) {
        const norm = info.norm;
        if (units.length < wordLength + norm.length + (length - i)) {
          this.growWord(2 * (wordLength + norm.length + length - i));
          units = this.wordUnits;
          starts = this.wordStarts;
          ends = this.wordEnds;
        }
        for (let k = 0; k < norm.length; k++) {
          units[wordLength] = norm.charCodeAt(k);
          starts[wordLength] = i;
          ends[wordLength] = end;
          wordLength++;
        }
      } else if (kind === SPACE) {
        if (wordLength > 0) {
          this.flushWord(wordLength);
          wordLength = 0;
          if (this.outCount >= maxTokens) break;
        }
      } else if (kind === PUNCT) {
        if (wordLength > 0) this.flushWord(wordLength);
        const norm = info.norm;
        for (let k = 0; k < norm.length; k++) {
          units[k] = norm.charCodeAt(k);
          starts[k] = i;
          ends[k] = end;
        }
        this.flushWord(norm.length);
        wordLength = 0;
        if (this.outCount >= maxTokens) break;
      } else if (kind === COMPLEX) {
        this.wordLength = wordLength;
        this.appendComplex(info.norm, info.isolate, i, end, length - i);
        wordLength = this.wordLength;
        units = this.wordUnits;
        starts = this.wordStarts;
        ends = this.wordEnds;
      }
      reorderable += info.reorderable;
      i = end;
    }
    if (wordLength > 0) this.flushWord(wordLength);
    if (reorderable >= 2) return this.encodeWholeSections(text, maxTokens);
    return this.result(maxTokens);
  }

  /**
   * The reference's order of operations applied to whole sections (the text between added
   * tokens): clean, pad CJK, NFD the section, drop Mn, lowercase, split. Only needed when
   * canonical reordering can matter; it also serves as the fallback for any exotic input.
   */
  encodeWholeSections(text: string, maxTokens = Number.POSITIVE_INFINITY): WordPieceEncoding {
    this.outCount = 0;
    this.wordLength = 0;
    if (this.wordUnits.length < 4 * text.length + 16) this.growWord(4 * text.length + 16);
    let sectionStart = 0;
    let i = 0;
    while (i < text.length && this.outCount < maxTokens) {
      const added = this.addedFirstUnit[text.charCodeAt(i)] === 1 ? this.matchAdded(text, i) : undefined;
      if (added === undefined) {
        i++;
        continue;
      }
      this.encodeSection(text, sectionStart, i);
      if (this.outCount >= maxTokens) break;
      this.emit(added.id, i, i + added.content.length);
      i += added.content.length;
      sectionStart = i;
    }
    if (this.outCount < maxTokens) this.encodeSection(text, sectionStart, text.length);
    return this.result(maxTokens);
  }

  private encodeSection(text: string, from: number, to: number): void {
    const n = this.normalizer;
    // Code points after clean_text and CJK padding, with the original span of each.
    let cps: number[] = [];
    let cpStarts: number[] = [];
    let cpEnds: number[] = [];
    for (let i = from; i < to; ) {
      let cp = text.codePointAt(i) as number;
      const end = i + (cp > 0xffff ? 2 : 1);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      const start = i;
      i = end;
      if (n?.cleanText) {
        if (cp === 0 || cp === 0xfffd || isBertControl(cp)) continue;
        if (isBertWhitespace(cp)) cp = 0x20;
      }
      if (n?.handleChineseChars && isChineseChar(cp)) {
        cps.push(0x20, cp, 0x20);
        cpStarts.push(start, start, start);
        cpEnds.push(end, end, end);
      } else {
        cps.push(cp);
        cpStarts.push(start);
        cpEnds.push(end);
      }
    }
    if (n?.stripAccents) {
      const kept: number[] = [];
      const keptStarts: number[] = [];
      const keptEnds: number[] = [];
      let runStart = -1;
      for (let k = 0; k < cps.length; k++) {
        for (const piece of decompose(cps[k])) {
          const cp = piece.codePointAt(0) as number;
          if (!isNonStarter(cp)) runStart = -1;
          else if (runStart < 0) runStart = kept.length;
          if (isNonspacingMark(cp)) continue;
          // Canonical ordering is a stable sort by combining class within a run of
          // non-starters; the dropped marks do not matter, so sort the survivors as they come.
          let at = kept.length;
          if (runStart >= 0) {
            while (at > runStart && compareCombiningClass(kept[at - 1], cp) > 0) at--;
          }
          kept.splice(at, 0, cp);
          keptStarts.splice(at, 0, cpStarts[k]);
          keptEnds.splice(at, 0, cpEnds[k]);
        }
      }
      cps = kept;
      cpStarts = keptStarts;
      cpEnds = keptEnds;
    }
    for (let k = 0; k < cps.length; k++) {
      const norm = n?.lowercase ? lowercase(cps[k]) : String.fromCodePoint(cps[k]);
      this.appendComplex(norm, false, cpStarts[k], cpEnds[k], 0);
    }
    if (this.wordLength > 0) this.flushWord(this.wordLength);
    this.wordLength = 0;
  }

  /** Feeds normalized characters one by one through the pre-tokenizer's split rules. */
  private appendComplex(norm: string, isolate: boolean, start: number, end: number, reserve: number): void {
    if (this.wordUnits.length < this.wordLength + norm.length + reserve) {
      this.growWord(2 * (this.wordLength + norm.length + reserve));
    }
    if (isolate && this.wordLength > 0) {
      this.flushWord(this.wordLength);
      this.wordLength = 0;
    }
    for (let k = 0; k < norm.length; ) {
      const cp = norm.codePointAt(k) as number;
      const size = cp > 0xffff ? 2 : 1;
      if (isBertWhitespace(cp)) {
        if (this.wordLength > 0) this.flushWord(this.wordLength);
        this.wordLength = 0;
      } else if (isBertPunctuation(cp)) {
        if (this.wordLength > 0) this.flushWord(this.wordLength);
        for (let u = 0; u < size; u++) {
          this.wordUnits[u] = norm.charCodeAt(k + u);
          this.wordStarts[u] = start;
          this.wordEnds[u] = end;
        }
        this.flushWord(size);
        this.wordLength = 0;
      } else {
        for (let u = 0; u < size; u++) {
          this.wordUnits[this.wordLength] = norm.charCodeAt(k + u);
          this.wordStarts[this.wordLength] = start;
          this.wordEnds[this.wordLength] = end;
          this.wordLength++;
        }
      }
      k += size;
    }
    if (isolate && this.wordLength > 0) {
      this.flushWord(this.wordLength);
      this.wordLength = 0;
    }
  }

  private result(maxTokens: number): WordPieceEncoding {
    const count = Math.min(this.outCount, maxTokens);
    return {
      ids: this.outIds.slice(0, count),
      starts: this.outStarts.slice(0, count),
      ends: this.outEnds.slice(0, count),
    };
  }

  private matchAdded(text: string, at: number): AddedTokenSpec | undefined {
    const candidates = this.addedByFirstUnit.get(text.charCodeAt(at));
    if (candidates === undefined) return undefined;
    for (const candidate of candidates) {
      if (text.startsWith(candidate.content, at)) return candidate;
    }
    return undefined;
  }

  private edgeHash(node: number, unit: number): number {
    return (Math.imul(node, 0x9e3779b1) ^ Math.imul(unit, 0x85ebca6b)) >>> this.edgeShift;
  }

  private child(node: number, unit: number): number {
    const edgeNode = this.edgeNode;
    let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(unit, 0x85ebca6b)) >>> this.edgeShift;
    for (;;) {
      const key = edgeNode[h];
      if (key === node && this.edgeUnit[h] === unit) return this.edgeChild[h];
      if (key === -1) return -1;
      h = (h + 1) & this.edgeMask;
    }
  }

  /** WordPiece on the buffered word: greedy longest match, whole word to [UNK] on failure. */
  private flushWord(wordLength: number): void {
    const units = this.wordUnits;
    const starts = this.wordStarts;
    const ends = this.wordEnds;
    if (wordLength > this.maxInputCharsPerWord) {
      // The limit counts characters, not UTF-16 units.
      let chars = wordLength;
      for (let k = 0; k < wordLength; k++) {
        const u = units[k];
        if (u >= 0xdc00 && u <= 0xdfff) chars--;
      }
      if (chars > this.maxInputCharsPerWord) {
        this.emit(this.unkId, starts[0], ends[wordLength - 1]);
        return;
      }
    }
    if (this.outIds.length < this.outCount + wordLength) this.growOut(2 * (this.outCount + wordLength));
    const outIds = this.outIds;
    const outStarts = this.outStarts;
    const outEnds = this.outEnds;
    const nodeIds = this.nodeIds;
    const edgeNode = this.edgeNode;
    const edgeUnit = this.edgeUnit;
    const edgeChild = this.edgeChild;
    const mask = this.edgeMask;
    const shift = this.edgeShift;
    const first = this.outCount;
    let count = first;
    let start = 0;
    while (start < wordLength) {
      let node = start === 0 ? 0 : this.continuationRoot;
      let bestEnd = -1;
      let bestId = 0;
      for (let j = start; j < wordLength && node >= 0; j++) {
        const unit = units[j];
        let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(unit, 0x85ebca6b)) >>> shift;
        let next = -1;
        for (;;) {
          const key = edgeNode[h];
          if (key === node && edgeUnit[h] === unit) {
            next = edgeChild[h];
            break;
          }
          if (key === -1) break;
          h = (h + 1) & mask;
        }
        node = next;
        if (node >= 0) {
          const id = nodeIds[node];
          if (id >= 0) {
            bestId = id;
            bestEnd = j + 1;
          }
        }
      }
      if (bestEnd < 0) {
        outIds[first] = this.unkId;
        outStarts[first] = starts[0];
        outEnds[first] = ends[wordLength - 1];
        this.outCount = first + 1;
        return;
      }
      outIds[count] = bestId;
      outStarts[count] = starts[start];
      outEnds[count] = ends[bestEnd - 1];
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
    units.set(this.wordUnits);
    starts.set(this.wordStarts);
    ends.set(this.wordEnds);
    this.wordUnits = units;
    this.wordStarts = starts;
    this.wordEnds = ends;
  }

  private astralCharInfo(cp: number): CharInfo {
    let info = this.astralInfo.get(cp);
    if (info === undefined) {
      info = this.computeInfo(cp);
      this.astralInfo.set(cp, info);
    }
    return info;
  }

  /** One character through BertNormalizer in the reference's order, then classified. */
  private computeInfo(original: number): CharInfo {
    const n = this.normalizer;
    let cp = original;
    let isolate = false;
    let reorderable = 0;
    let norm = String.fromCodePoint(cp);
    if (n !== null) {
      if (n.cleanText) {
        if (cp === 0 || cp === 0xfffd || isBertControl(cp)) return emptyInfo;
        if (isBertWhitespace(cp)) cp = 0x20;
      }
      isolate = n.handleChineseChars && isChineseChar(cp);
      norm = String.fromCodePoint(cp);
      if (n.stripAccents) {
        norm = "";
        for (const piece of decompose(cp)) {
          const p = piece.codePointAt(0) as number;
          if (isNonspacingMark(p)) continue;
          if (isNonStarter(p)) reorderable++;
          norm += piece;
        }
      }
      if (n.lowercase) {
        let lowered = "";
        for (const piece of norm) lowered += lowercase(piece.codePointAt(0) as number);
        norm = lowered;
      }
    }
    if (norm.length === 0) return emptyInfo;
    let spaces = 0;
    let puncts = 0;
    let chars = 0;
    for (const piece of norm) {
      const p = piece.codePointAt(0) as number;
      chars++;
      if (isBertWhitespace(p)) spaces++;
      else if (isBertPunctuation(p)) puncts++;
    }
    let kind = COMPLEX;
    if (!isolate) {
      if (spaces === chars) kind = SPACE;
      else if (puncts === 1 && chars === 1) kind = PUNCT;
      else if (spaces === 0 && puncts === 0) kind = WORD;
    }
    return { kind, norm, isolate, reorderable };
  }
}
