/**
 * A double-array trie over UTF-16 code units for WordPiece's greedy longest match.
 *
 * Every cell is four ints — base, check, token id, padding — so one step of a walk reads a
 * single 16-byte slot: `t = base(s) + code(unit)` is a child of `s` when `check(t) === s`, and
 * `id(t)` is the token that path spells (-1 for none). The vocabulary's trie does not fit in L2,
 * so touching one slot per character instead of several is most of the speed.
 */
export interface WordPieceTrie {
  cells: Int32Array;
  /** Code unit → dense label 1..n; 0 for units no token contains. */
  alphabet: Int32Array;
}

/** Where base, check and token id sit in a cell. */
export const cellLayout = { base: 0, check: 1, id: 2 } as const;
const { base: cellBase, check: cellCheck, id: cellId } = cellLayout;

const freeCell = -1;
const rootCheck = -2;

/** The cell reached from `cell` by `text`, or -1. */
export function walkTrie(trie: WordPieceTrie, cell: number, text: string): number {
  let s = cell;
  for (let k = 0; k < text.length && s >= 0; k++) {
    const code = trie.alphabet[text.charCodeAt(k)];
    const t = trie.cells[s * 4 + cellBase] + code;
    s = code !== 0 && trie.cells[t * 4 + cellCheck] === s ? t : -1;
  }
  return s;
}

/** `String.prototype.isWellFormed`, which the ES2023 lib we compile against does not declare. */
export function isWellFormed(s: string): boolean {
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

/**
 * Builds the trie; the root is cell 0. Tokens holding a lone surrogate are left out: the
 * reference walks whole characters, so they can never match.
 */
export function buildWordPieceTrie(vocab: ReadonlyMap<string, number>): WordPieceTrie {
  // Default sort order is UTF-16 code-unit order, which groups every prefix with its extensions.
  const tokens = [...vocab.keys()].filter((token) => token.length > 0 && isWellFormed(token)).sort();

  // Labels follow code-unit order, so that children, which the sorted insertion below links
  // in descending order, need no sorting.
  const alphabet = new Int32Array(65536);
  for (const token of tokens) {
    for (let k = 0; k < token.length; k++) alphabet[token.charCodeAt(k)] = 1;
  }
  let alphabetSize = 0;
  for (let unit = 0; unit < 65536; unit++) if (alphabet[unit] !== 0) alphabet[unit] = ++alphabetSize;

  // A plain linked trie first; the double array is laid out from it breadth first. In sorted
  // order each token shares its longest common prefix with the token just before it, so the
  // trie grows along one path without any child lookups.
  let units = 1;
  for (const token of tokens) units += token.length;
  const label = new Int32Array(units);
  const tokenId = new Int32Array(units).fill(-1);
  const firstChild = new Int32Array(units).fill(-1);
  const nextSibling = new Int32Array(units).fill(-1);
  let nodeCount = 1;
  const path = [0];
  let previous = "";
  for (const token of tokens) {
    let common = 0;
    while (common < token.length && common < previous.length && token.charCodeAt(common) === previous.charCodeAt(common)) common++;
    path.length = common + 1;
    let node = path[common];
    for (let k = common; k < token.length; k++) {
      const child = nodeCount++;
      label[child] = alphabet[token.charCodeAt(k)];
      nextSibling[child] = firstChild[node];
      firstChild[node] = child;
      path.push(child);
      node = child;
    }
    tokenId[node] = vocab.get(token) as number;
    previous = token;
  }

  let capacity = 1024;
  let cells = new Int32Array(capacity * 4);
  // Union-find over cells: find(x) is the first free cell at or after x, so placing a node
  // skips the filled stretches instead of scanning them. Index `capacity` stands for the free
  // space past the end.
  let nextFree = new Int32Array(capacity + 1);
  const initCells = (from: number, to: number): void => {
    for (let t = from; t < to; t++) {
      cells[t * 4 + cellCheck] = freeCell;
      cells[t * 4 + cellId] = -1;
    }
  };
  const grow = (needed: number): void => {
    if (needed <= capacity) return;
    let next = capacity;
    while (next < needed) next *= 2;
    const grownCells = new Int32Array(next * 4);
    grownCells.set(cells);
    const grownFree = new Int32Array(next + 1);
    grownFree.set(nextFree.subarray(0, capacity));
    for (let t = capacity; t <= next; t++) grownFree[t] = t;
    cells = grownCells;
    nextFree = grownFree;
    const from = capacity;
    capacity = next;
    initCells(from, next);
  };
  const find = (x: number): number => {
    let root = x;
    while (nextFree[root] !== root) root = nextFree[root];
    while (nextFree[x] !== root) {
      const up = nextFree[x];
      nextFree[x] = root;
      x = up;
    }
    return root;
  };
  initCells(0, capacity);
  for (let t = 0; t <= capacity; t++) nextFree[t] = t;
  cells[cellCheck] = rootCheck;
  cells[cellId] = tokenId[0];
  nextFree[0] = 1;

  const cellOf = new Int32Array(nodeCount);
  const queue = new Int32Array(nodeCount);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  let cellCount = 1;
  const codes: number[] = [];
  const kids: number[] = [];
  while (head < tail) {
    const node = queue[head++];
    codes.length = 0;
    kids.length = 0;
    for (let child = firstChild[node]; child >= 0; child = nextSibling[child]) kids.push(child);
    if (kids.length === 0) continue;
    kids.reverse();
    for (const child of kids) codes.push(label[child]);

    grow(codes[0] + alphabetSize + 2);
    let base: number;
    for (let p = find(codes[0] + 1); ; p = find(p + 1)) {
      base = p - codes[0];
      grow(base + alphabetSize + 2);
      let fits = true;
      for (let k = 1; k < codes.length && fits; k++) fits = cells[(base + codes[k]) * 4 + cellCheck] === freeCell;
      if (fits) break;
    }
    const parentCell = cellOf[node];
    cells[parentCell * 4 + cellBase] = base;
    for (let k = 0; k < kids.length; k++) {
      const t = base + codes[k];
      nextFree[t] = t + 1;
      cells[t * 4 + cellCheck] = parentCell;
      cells[t * 4 + cellId] = tokenId[kids[k]];
      cellOf[kids[k]] = t;
      queue[tail++] = kids[k];
      cellCount = Math.max(cellCount, t + 1);
    }
  }
  // Any base plus any label must stay inside the array, so that a walk never reads past it.
  let maxBase = 0;
  for (let t = 0; t < cellCount; t++) maxBase = Math.max(maxBase, cells[t * 4 + cellBase]);
  const size = Math.max(cellCount, maxBase + alphabetSize + 1);
  grow(size);
  return { cells: cells.slice(0, size * 4), alphabet };
}
