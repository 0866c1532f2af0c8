/**
 * Growable byte output and a cursor over bytes, with unsigned LEB128 varints: small numbers
 * (document-number gaps, term frequencies) take one byte instead of four.
 */
export class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint needs a non-negative safe integer; got ${value}`);
    this.reserve(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/** Reads what {@link ByteWriter} wrote; throws a RangeError when the bytes run out. */
export class ByteReader {
  private position = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get remaining(): number {
    return this.buffer.length - this.position;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.position >= this.buffer.length) throw new RangeError("unexpected end of data inside a varint");
      const byte = this.buffer[this.position++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError("varint longer than 8 bytes");
    }
  }

  bytes(count: number): Uint8Array {
    if (count > this.remaining) throw new RangeError(`unexpected end of data: needed ${count} bytes, ${this.remaining} left`);
    const slice = this.buffer.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }
}
