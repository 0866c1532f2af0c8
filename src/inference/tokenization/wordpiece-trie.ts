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

export const CELL_BASE = 0;
export const CELL_CHECK = 1;
export const CELL_ID = 2;

const FREE = -1;
const ROOT_CHECK = -2;

/** The cell reached from `cell` by `text`, or -1. */
export function walkTrie(trie: WordPieceTrie, cell: number, text: string): number {
  let s = cell;
  for (let k = 0; k < text.length && s >= 0; k++) {
    const code = trie.alphabet[text.charCodeAt(k)];
    const t = trie.cells[s * 4 + CELL_BASE] + code;
    s = code !== 0 && trie.cells[t * 4 + CELL_CHECK] === s ? t : -1;
  }
  return s;
}

/** Builds the trie; the root is cell 0. Tokens are assumed well-formed UTF-16. */
export function buildWordPieceTrie(vocab: Iterable<readonly [string, number]>): WordPieceTrie {
  const tokens = [...vocab].filter(([token]) => token.length > 0);

  // Frequent units get small labels so that siblings pack densely.
  const counts = new Map<number, number>();
  for (const [token] of tokens) {
    for (let k = 0; k < token.length; k++) counts.set(token.charCodeAt(k), (counts.get(token.charCodeAt(k)) ?? 0) + 1);
  }
  const alphabet = new Int32Array(65536);
  [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).forEach(([unit], k) => (alphabet[unit] = k + 1));
  const alphabetSize = counts.size;

  // A plain linked trie first; the double array is laid out from it breadth first.
  const label = [0];
  const tokenId = [-1];
  const firstChild = [-1];
  const nextSibling = [-1];
  const childOf = new Map<number, number>();
  for (const [token, id] of tokens) {
    let node = 0;
    for (let k = 0; k < token.length; k++) {
      const code = alphabet[token.charCodeAt(k)];
      const key = node * 65537 + code;
      let child = childOf.get(key);
      if (child === undefined) {
        child = label.length;
        label.push(code);
        tokenId.push(-1);
        firstChild.push(-1);
        nextSibling.push(firstChild[node]);
        firstChild[node] = child;
        childOf.set(key, child);
      }
      node = child;
    }
    // The reference's vocabulary is a map, so the last duplicate key wins.
    tokenId[node] = id;
  }

  let capacity = 1024;
  let cells = new Int32Array(capacity * 4);
  // Free cells form a doubly linked list so that placing a node scans only free cells.
  let nextFree = new Int32Array(capacity);
  let prevFree = new Int32Array(capacity);
  let freeHead = -1;
  let freeTail = -1;
  const addFree = (from: number, to: number): void => {
    for (let t = from; t < to; t++) {
      cells[t * 4 + CELL_BASE] = 0;
      cells[t * 4 + CELL_CHECK] = FREE;
      cells[t * 4 + CELL_ID] = -1;
      prevFree[t] = freeTail;
      nextFree[t] = -1;
      if (freeTail >= 0) nextFree[freeTail] = t;
      else freeHead = t;
      freeTail = t;
    }
  };
  const grow = (needed: number): void => {
    if (needed <= capacity) return;
    let next = capacity;
    while (next < needed) next *= 2;
    const grownCells = new Int32Array(next * 4);
    grownCells.set(cells);
    const grownNext = new Int32Array(next);
    grownNext.set(nextFree);
    const grownPrev = new Int32Array(next);
    grownPrev.set(prevFree);
    cells = grownCells;
    nextFree = grownNext;
    prevFree = grownPrev;
    const from = capacity;
    capacity = next;
    addFree(from, next);
  };
  const take = (t: number): void => {
    if (prevFree[t] >= 0) nextFree[prevFree[t]] = nextFree[t];
    else freeHead = nextFree[t];
    if (nextFree[t] >= 0) prevFree[nextFree[t]] = prevFree[t];
    else freeTail = prevFree[t];
  };
  addFree(1, capacity);
  cells[CELL_CHECK] = ROOT_CHECK;
  cells[CELL_ID] = tokenId[0];

  const cellOf = new Int32Array(label.length);
  const queue = new Int32Array(label.length);
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
    kids.sort((a, b) => label[a] - label[b]);
    for (const child of kids) codes.push(label[child]);

    let base = -1;
    for (let p = freeHead; base < 0; ) {
      if (p < 0) {
        // Every free cell was tried: the region past the end is free by construction.
        grow(capacity * 2);
        p = capacity / 2;
        continue;
      }
      const candidate = p - codes[0];
      if (candidate >= 1) {
        grow(candidate + alphabetSize + 1);
        let fits = true;
        for (let k = 1; k < codes.length && fits; k++) fits = cells[(candidate + codes[k]) * 4 + CELL_CHECK] === FREE;
        if (fits) base = candidate;
      }
      p = nextFree[p];
    }
    const parentCell = cellOf[node];
    cells[parentCell * 4 + CELL_BASE] = base;
    for (let k = 0; k < kids.length; k++) {
      const t = base + codes[k];
      take(t);
      cells[t * 4 + CELL_CHECK] = parentCell;
      cells[t * 4 + CELL_ID] = tokenId[kids[k]];
      cellOf[kids[k]] = t;
      queue[tail++] = kids[k];
      cellCount = Math.max(cellCount, t + 1);
    }
  }
  // Any base plus any label must stay inside the array, so that a walk never reads past it.
  let maxBase = 0;
  for (let t = 0; t < cellCount; t++) maxBase = Math.max(maxBase, cells[t * 4 + CELL_BASE]);
  const size = Math.max(cellCount, maxBase + alphabetSize + 1);
  grow(size);
  return { cells: cells.slice(0, size * 4), alphabet };
}
