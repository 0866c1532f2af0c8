import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { OpenRerankError } from "../../errors/catalog.js";
import type { Bm25IndexData } from "./bm25-index.js";
import { ByteReader, ByteWriter } from "./byte-stream.js";

/**
 * The on-disk BM25 index format, version 1:
 *
 *   "ORBM25" · u16 version · u32 header length · header (JSON) · body · SHA-256 of all before
 *
 * The header holds the analyzer id, k1/b, counts and caller metadata. The body holds, in order:
 * document ids (varint byte length + UTF-8); one length byte per document; the sorted
 * vocabulary, front-coded (varint shared-prefix bytes, varint suffix bytes, suffix); each
 * term's document frequency (varint); then per term its document-number gaps and its term
 * frequencies (varints). Integers are little-endian.
 */
const magic = new TextEncoder().encode("ORBM25");
const formatVersion = 1;
const digestBytes = 32;

interface IndexFileHeader {
  analyzerId: string;
  k1: number;
  b: number;
  documentCount: number;
  termCount: number;
  postingCount: number;
  totalTermCount: number;
  metadata: Record<string, string>;
}

/** Caller facts stored with the index, e.g. the SHA-256 of the corpus it was built from. */
export type Bm25IndexMetadata = Record<string, string>;

/** Encodes index data into the file format. */
export function encodeBm25Index(data: Bm25IndexData, metadata: Bm25IndexMetadata = {}): Uint8Array {
  const header: IndexFileHeader = {
    analyzerId: data.analyzerId,
    k1: data.parameters.k1,
    b: data.parameters.b,
    documentCount: data.documentIds.length,
    termCount: data.terms.length,
    postingCount: data.postingDocuments.length,
    totalTermCount: data.totalTermCount,
    metadata,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const writer = new ByteWriter();
  writer.bytes(magic);
  const fixedFields = new Uint8Array(6);
  const fixedView = new DataView(fixedFields.buffer);
  fixedView.setUint16(0, formatVersion, true);
  fixedView.setUint32(2, headerBytes.length, true);
  writer.bytes(fixedFields);
  writer.bytes(headerBytes);

  const encoder = new TextEncoder();
  for (const id of data.documentIds) {
    const bytes = encoder.encode(id);
    writer.varint(bytes.length);
    writer.bytes(bytes);
  }
  writer.bytes(data.lengthBytes);
  let previous = new Uint8Array(0);
  for (const term of data.terms) {
    const bytes = encoder.encode(term);
    let shared = 0;
    while (shared < previous.length && shared < bytes.length && previous[shared] === bytes[shared]) shared++;
    writer.varint(shared);
    writer.varint(bytes.length - shared);
    writer.bytes(bytes.subarray(shared));
    previous = bytes;
  }
  for (let term = 0; term < data.terms.length; term++) writer.varint(data.postingStarts[term + 1] - data.postingStarts[term]);
  for (let term = 0; term < data.terms.length; term++) {
    const start = data.postingStarts[term];
    const end = data.postingStarts[term + 1];
    let previousDocument = 0;
    for (let posting = start; posting < end; posting++) {
      writer.varint(data.postingDocuments[posting] - previousDocument);
      previousDocument = data.postingDocuments[posting];
    }
    for (let posting = start; posting < end; posting++) writer.varint(data.postingFrequencies[posting]);
  }
  const body = writer.result();
  const digest = createHash("sha256").update(body).digest();
  const file = new Uint8Array(body.length + digestBytes);
  file.set(body);
  file.set(digest, body.length);
  return file;
}

/** Decodes the file format; `source` names the file in error messages. */
export function decodeBm25Index(bytes: Uint8Array, source: string): { data: Bm25IndexData; metadata: Bm25IndexMetadata } {
  const damaged = (why: string): OpenRerankError =>
    new OpenRerankError("invalid_option", `BM25 index ${source} is damaged (${why}). Delete it and build the index again.`, { path: source });
  if (bytes.length < magic.length + 6 + digestBytes || !magic.every((byte, index) => bytes[index] === byte)) {
    throw new OpenRerankError(
      "invalid_option",
      `${source} is not an openrerank BM25 index (it does not start with "ORBM25"). Point at a file written by openrerank, or build a new index.`,
      { path: source },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(magic.length, true);
  if (version !== formatVersion) {
    throw new OpenRerankError(
      "invalid_option",
      `BM25 index ${source} uses format version ${version}; this openrerank reads version ${formatVersion}. Rebuild the index with this version.`,
      { path: source, version },
    );
  }
  const body = bytes.subarray(0, bytes.length - digestBytes);
  const expectedDigest = createHash("sha256").update(body).digest();
  if (!expectedDigest.equals(bytes.subarray(bytes.length - digestBytes))) throw damaged("checksum mismatch: truncated or modified");

  try {
    const headerLength = view.getUint32(magic.length + 2, true);
    const reader = new ByteReader(body.subarray(magic.length + 6));
    const header = JSON.parse(new TextDecoder().decode(reader.bytes(headerLength))) as IndexFileHeader;
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const documentIds: string[] = new Array(header.documentCount);
    for (let document = 0; document < header.documentCount; document++) documentIds[document] = decoder.decode(reader.bytes(reader.varint()));
    const lengthBytes = new Uint8Array(reader.bytes(header.documentCount));
    const terms: string[] = new Array(header.termCount);
    let previous = new Uint8Array(0);
    for (let term = 0; term < header.termCount; term++) {
      const shared = reader.varint();
      const suffix = reader.bytes(reader.varint());
      const bytesOfTerm = new Uint8Array(shared + suffix.length);
      bytesOfTerm.set(previous.subarray(0, shared));
      bytesOfTerm.set(suffix, shared);
      terms[term] = decoder.decode(bytesOfTerm);
      previous = bytesOfTerm;
    }
    const postingStarts = new Uint32Array(header.termCount + 1);
    for (let term = 0; term < header.termCount; term++) postingStarts[term + 1] = postingStarts[term] + reader.varint();
    if (postingStarts[header.termCount] !== header.postingCount) throw new RangeError("posting counts disagree with the header");
    const postingDocuments = new Uint32Array(header.postingCount);
    const postingFrequencies = new Uint32Array(header.postingCount);
    for (let term = 0; term < header.termCount; term++) {
      const start = postingStarts[term];
      const end = postingStarts[term + 1];
      let document = 0;
      for (let posting = start; posting < end; posting++) {
        document += reader.varint();
        if (document >= header.documentCount) throw new RangeError("a posting names a document past the end");
        postingDocuments[posting] = document;
      }
      for (let posting = start; posting < end; posting++) postingFrequencies[posting] = reader.varint();
    }
    if (reader.remaining !== 0) throw new RangeError(`${reader.remaining} unexpected trailing bytes`);
    const data: Bm25IndexData = {
      analyzerId: header.analyzerId,
      parameters: { k1: header.k1, b: header.b },
      documentIds,
      lengthBytes,
      totalTermCount: header.totalTermCount,
      terms,
      postingStarts,
      postingDocuments,
      postingFrequencies,
    };
    return { data, metadata: header.metadata ?? {} };
  } catch (error) {
    throw damaged(error instanceof Error ? error.message : String(error));
  }
}

/** Writes the index to `path` atomically (a temporary file, then a rename). */
export async function saveBm25Index(path: string, data: Bm25IndexData, metadata: Bm25IndexMetadata = {}): Promise<number> {
  const bytes = encodeBm25Index(data, metadata);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
  return bytes.length;
}

/** Reads an index written by {@link saveBm25Index}. */
export async function loadBm25Index(path: string): Promise<{ data: Bm25IndexData; metadata: Bm25IndexMetadata }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new OpenRerankError("invalid_option", `Cannot read BM25 index ${path}: ${error instanceof Error ? error.message : String(error)}.`, {
      path,
    });
  }
  return decodeBm25Index(bytes, path);
}
