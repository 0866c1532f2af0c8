import { InvalidArgumentError } from "commander";

/** commander parser for a positive integer flag; the message names the value and what is allowed. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  return parsed;
}
