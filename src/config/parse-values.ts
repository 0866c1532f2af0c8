import { OpenRerankError } from "../errors/catalog.js";

/**
 * The text parsers of settings and flags. Each names its source (a flag, an environment
 * variable, or a config file and key), the value, and what is allowed, and throws
 * `invalid_option`; the CLI prints that message and exits 1.
 */

export interface NumberRange {
  /** Smallest allowed value. @default no limit */
  min?: number;
  /** Largest allowed value. @default no limit */
  max?: number;
}

/** A whole number in `range`, from text such as a flag or an environment variable. */
export function parseInteger(text: string, source: string, range: NumberRange = {}): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isSafeInteger(value) || outside(value, range)) {
    throw new OpenRerankError("invalid_option", `${source} "${text}" is not ${describeRange("integer", range)}.`, { field: source, value: text, ...range });
  }
  return value;
}

/** A finite number in `range`. */
export function parseNumber(text: string, source: string, range: NumberRange = {}): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || outside(value, range)) {
    throw new OpenRerankError("invalid_option", `${source} "${text}" is not ${describeRange("number", range)}.`, { field: source, value: text, ...range });
  }
  return value;
}

const trueWords = ["1", "true", "yes", "on"];
const falseWords = ["0", "false", "no", "off"];

/** true/false, 1/0, yes/no or on/off, any case. */
export function parseBoolean(text: string, source: string): boolean {
  const lower = text.trim().toLowerCase();
  if (trueWords.includes(lower)) return true;
  if (falseWords.includes(lower)) return false;
  throw new OpenRerankError("invalid_option", `${source} "${text}" is not a boolean; use true or false (or 1/0, yes/no, on/off).`, { field: source, value: text });
}

/** One of `allowed`, exactly. */
export function parseChoice<T extends string>(text: string, source: string, allowed: readonly T[], what = "value"): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new OpenRerankError("invalid_option", `${source} "${text}" is not a ${what}; use one of ${allowed.join(", ")}.`, { field: source, value: text, allowed });
}

/** An http or https URL, as written. */
export function parseHttpUrl(text: string, source: string): string {
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new OpenRerankError("invalid_option", `${source} "${text}" is not an http(s) URL, e.g. https://huggingface.co.`, { field: source, value: text });
  }
  return text;
}

/** Items of a separated list, trimmed, empty items dropped. */
export function splitList(text: string, separator: string | RegExp): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const byteUnits: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** Bytes from a number or a size with a binary unit: 1048576, "512kb", "32mb", "1gib". */
export function parseByteSize(value: number | string, source: string): number {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 1) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? byteUnits[match[2].toLowerCase()] : undefined;
    const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
    if (Number.isSafeInteger(bytes) && bytes >= 1) return bytes;
  }
  throw new OpenRerankError("invalid_option", `${source} "${value}" is not a size; write bytes or a number with kb, mb or gb (binary units), e.g. 32mb.`, { field: source, value });
}

function outside(value: number, range: NumberRange): boolean {
  return (range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max);
}

function describeRange(kind: "integer" | "number", { min, max }: NumberRange): string {
  if (min !== undefined && max !== undefined) return `${kind === "integer" ? "an integer" : "a number"} from ${min} to ${max}`;
  if (kind === "integer" && min === 1 && max === undefined) return "a positive integer";
  if (min !== undefined) return `${kind === "integer" ? "an integer" : "a number"} ≥ ${min}`;
  if (max !== undefined) return `${kind === "integer" ? "an integer" : "a number"} ≤ ${max}`;
  return kind === "integer" ? "a whole number" : "a number";
}
