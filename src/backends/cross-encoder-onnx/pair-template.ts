import { OpenRerankError } from "../../errors/catalog.js";

/**
 * The special tokens around a (query, document) pair, exactly as the model was trained:
 * `[CLS] q [SEP] d [SEP]` (BERT, token types 0 then 1) or `<s> q </s></s> d </s>`
 * (RoBERTa/XLM-R, all type 0). Read from `tokenizer.json`'s post-processor.
 */
export interface PairTemplate {
  prefix: Segment;
  middle: Segment;
  suffix: Segment;
  queryTypeId: number;
  documentTypeId: number;
}

export interface Segment {
  ids: readonly number[];
  typeIds: readonly number[];
}

/** Number of special tokens the template adds to every pair. */
export function specialTokenCount(template: PairTemplate): number {
  return template.prefix.ids.length + template.middle.ids.length + template.suffix.ids.length;
}

type TemplatePiece = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: "A" | "B"; type_id: number } };

interface PostProcessorJson {
  type?: string;
  pair?: TemplatePiece[];
  special_tokens?: Record<string, { ids: number[] }>;
  cls?: [string, number];
  sep?: [string, number];
  processors?: PostProcessorJson[];
}

/** `tokenizerJson` is a parsed tokenizer.json; its post-processor is read as Hugging Face writes it. */
export function readPairTemplate(tokenizerJson: object, modelType: string | undefined): PairTemplate {
  const processor = findPairProcessor((tokenizerJson as { post_processor?: PostProcessorJson | null }).post_processor ?? undefined);
  if (processor?.type === "TemplateProcessing" && processor.pair) return fromTemplateProcessing(processor);
  if (processor?.type === "BertProcessing" && processor.cls && processor.sep) {
    return bertStyle(processor.cls[1], processor.sep[1]);
  }
  if (processor?.type === "RobertaProcessing" && processor.cls && processor.sep) {
    return robertaStyle(processor.cls[1], processor.sep[1]);
  }
  throw new OpenRerankError(
    "model_load_failed",
    `tokenizer.json has no pair post-processor openrerank understands (found ${processor?.type ?? "none"}, model_type ${modelType ?? "unknown"}); supported: TemplateProcessing, BertProcessing, RobertaProcessing.`,
    { postProcessor: processor?.type ?? null },
  );
}

function findPairProcessor(processor: PostProcessorJson | undefined): PostProcessorJson | undefined {
  if (processor?.type === "Sequence") return processor.processors?.find((inner) => ["TemplateProcessing", "BertProcessing", "RobertaProcessing"].includes(inner.type ?? ""));
  return processor;
}

function bertStyle(cls: number, sep: number): PairTemplate {
  return { prefix: { ids: [cls], typeIds: [0] }, middle: { ids: [sep], typeIds: [0] }, suffix: { ids: [sep], typeIds: [1] }, queryTypeId: 0, documentTypeId: 1 };
}

function robertaStyle(cls: number, sep: number): PairTemplate {
  return { prefix: { ids: [cls], typeIds: [0] }, middle: { ids: [sep, sep], typeIds: [0, 0] }, suffix: { ids: [sep], typeIds: [0] }, queryTypeId: 0, documentTypeId: 0 };
}

function fromTemplateProcessing(processor: PostProcessorJson): PairTemplate {
  const segments: Segment[] = [{ ids: [], typeIds: [] }];
  const sequenceTypes: number[] = [];
  for (const piece of processor.pair ?? []) {
    if ("Sequence" in piece) {
      sequenceTypes.push(piece.Sequence.type_id);
      segments.push({ ids: [], typeIds: [] });
      continue;
    }
    const special = processor.special_tokens?.[piece.SpecialToken.id];
    if (!special) throw new OpenRerankError("model_load_failed", `tokenizer.json's pair template uses ${piece.SpecialToken.id}, which is not in its special_tokens.`, {});
    const current = segments[segments.length - 1] as { ids: number[]; typeIds: number[] };
    for (const id of special.ids) {
      current.ids.push(id);
      current.typeIds.push(piece.SpecialToken.type_id);
    }
  }
  if (segments.length !== 3) throw new OpenRerankError("model_load_failed", "tokenizer.json's pair template must contain sequences A and B exactly once.", {});
  return { prefix: segments[0], middle: segments[1], suffix: segments[2], queryTypeId: sequenceTypes[0], documentTypeId: sequenceTypes[1] };
}
