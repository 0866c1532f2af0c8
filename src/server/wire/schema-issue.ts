import { errorCatalog, type ErrorCode } from "../../errors/catalog.js";

/**
 * Schema keyword that names the catalog code a failing schema node reports (default
 * `invalid_request`), so the mapping from a wire field to its error code lives in the schema
 * that also generates the OpenAPI document.
 */
export const errorCodeKeyword = "x-error-code";

/** One problem with a request body: where (`documents[3]`), what, and its stable code. */
export interface SchemaIssue {
  path: string;
  message: string;
  code: ErrorCode;
}

/** The parts of an Ajv error (compiled with `verbose: true`) that issues are built from. */
export interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
  parentSchema?: Record<string, unknown>;
}

/**
 * Turns Ajv's errors into issues a caller can act on: JavaScript-like paths, messages that
 * say what was received, and the code annotated on the schema. Errors from inside an
 * `anyOf` branch are dropped: the `anyOf` error itself says what was allowed.
 */
export function schemaIssues(errors: readonly AjvErrorLike[]): SchemaIssue[] {
  return errors.filter((error) => !error.schemaPath.includes("/anyOf/")).map(toIssue);
}

function toIssue(error: AjvErrorLike): SchemaIssue {
  const annotated = error.parentSchema?.[errorCodeKeyword];
  const code: ErrorCode = typeof annotated === "string" && annotated in errorCatalog ? (annotated as ErrorCode) : "invalid_request";
  if (error.keyword === "required") {
    return { path: fieldPath(`${error.instancePath}/${String(error.params.missingProperty)}`), message: "is required", code };
  }
  return { path: fieldPath(error.instancePath), message: issueMessage(error), code };
}

function issueMessage(error: AjvErrorLike): string {
  const got = `got ${describeValue(error.data)}`;
  switch (error.keyword) {
    case "type":
      return `must be ${withArticle(String(error.params.type))}, ${got}`;
    case "anyOf": {
      const branches = (error.parentSchema?.anyOf as { type?: string; const?: unknown }[] | undefined) ?? [];
      // A literal branch names its value ("Right"), a typed one its type (a string).
      const allowed = branches.map((branch) => (branch.const !== undefined ? JSON.stringify(branch.const) : branch.type ? withArticle(branch.type) : "another shape")).join(" or ");
      return `must be ${allowed}, ${got}`;
    }
    case "minItems":
      return error.params.limit === 1 ? "must not be empty" : `must have at least ${String(error.params.limit)} items, got ${(error.data as unknown[]).length}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${error.message ?? "is out of range"}, ${got}`;
    case "enum":
      return `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}, ${got}`;
    default:
      return error.message ?? "is invalid";
  }
}

/** `/documents/3/text` → `documents[3].text`; the root is `body`. */
function fieldPath(instancePath: string): string {
  const segments = instancePath.split("/").slice(1);
  if (segments.length === 0) return "body";
  return segments.map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value.length <= 20 ? JSON.stringify(value) : "a string";
  return withArticle(typeof value);
}
