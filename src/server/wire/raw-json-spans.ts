/** A slice of a JSON text: `text.slice(start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/**
 * The source spans of the elements of the array under `key` in a top-level JSON object, so
 * documents can be echoed back exactly as the client wrote them (number formatting, key
 * order, escapes and big integers that `JSON.parse` + `JSON.stringify` would change).
 * Like `JSON.parse`, the last occurrence of a duplicated key wins. Expects text that
 * `JSON.parse` already accepted; returns undefined when the key holds no array.
 */
export function arrayElementSpans(text: string, key: string): Span[] | undefined {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  if (!scanner.take("{")) return undefined;
  let found: Span[] | undefined;
  scanner.skipWhitespace();
  if (scanner.take("}")) return undefined;
  for (;;) {
    scanner.skipWhitespace();
    const keyStart = scanner.position;
    scanner.skipString();
    const name = JSON.parse(text.slice(keyStart, scanner.position)) as string;
    scanner.skipWhitespace();
    scanner.take(":");
    scanner.skipWhitespace();
    if (name === key) found = scanner.peek() === "[" ? scanner.elementSpans() : undefined;
    else scanner.skipValue();
    scanner.skipWhitespace();
    if (!scanner.take(",")) return found;
  }
}

class Scanner {
  position = 0;

  constructor(private readonly text: string) {}

  peek(): string {
    return this.text[this.position];
  }

  take(character: string): boolean {
    if (this.text[this.position] !== character) return false;
    this.position++;
    return true;
  }

  skipWhitespace(): void {
    while (this.position < this.text.length && " \t\n\r".includes(this.text[this.position])) this.position++;
  }

  skipString(): void {
    this.position++; // opening quote
    while (this.position < this.text.length) {
      const character = this.text[this.position++];
      if (character === "\\") this.position++;
      else if (character === '"') return;
    }
  }

  /** Skips one value; strings are skipped whole so brackets inside them do not count. */
  skipValue(): void {
    const first = this.peek();
    if (first === '"') {
      this.skipString();
      return;
    }
    if (first !== "{" && first !== "[") {
      while (this.position < this.text.length && !",}] \t\n\r".includes(this.text[this.position])) this.position++;
      return;
    }
    let depth = 0;
    do {
      const character = this.text[this.position];
      if (character === '"') {
        this.skipString();
        continue;
      }
      if (character === "{" || character === "[") depth++;
      else if (character === "}" || character === "]") depth--;
      this.position++;
    } while (depth > 0 && this.position < this.text.length);
  }

  elementSpans(): Span[] {
    const spans: Span[] = [];
    this.position++; // [
    this.skipWhitespace();
    if (this.take("]")) return spans;
    for (;;) {
      this.skipWhitespace();
      const start = this.position;
      this.skipValue();
      spans.push({ start, end: this.position });
      this.skipWhitespace();
      if (!this.take(",")) {
        this.take("]");
        return spans;
      }
    }
  }
}
