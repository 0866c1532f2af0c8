import { Option } from "commander";
import { parseInteger, parseNumber, type NumberRange } from "../config/parse-values.js";

/**
 * Number options for flags that are not settings (`--top-n`, `--k1`): the one integer and number
 * parser of config/, whose messages name the flag, the value and what is allowed.
 */
export function integerOption(flags: string, description: string, range: NumberRange = {}): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseInteger(value, option.long ?? flags, range));
}

export function numberOption(flags: string, description: string, range: NumberRange = {}): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseNumber(value, option.long ?? flags, range));
}
