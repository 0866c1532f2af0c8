import type { ModelSpec } from "../config/load-settings.js";
import { OpenRerankError } from "../errors/catalog.js";
import type { Reranker } from "../reranker/types.js";

/** What the server needs from a backend: the reranker contract, plus its queue depth and health when it has them. */
export interface ServedReranker extends Reranker {
  /** Pairs (scored windows) admitted and not yet answered. */
  readonly queuedPairs?: number;
  /** False while the model's worker is down and being restarted. @default true */
  readonly available?: boolean;
}

/** A loaded model and the names it answers to. */
export class ServedModel {
  constructor(
    readonly spec: ModelSpec,
    readonly reranker: ServedReranker,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  get aliases(): readonly string[] {
    return this.spec.aliases;
  }
}

/**
 * The served models by id and alias. Requests name a model by either; when a single model
 * is served the name may be left out.
 */
export class ModelRegistry {
  private readonly models: ServedModel[] = [];
  private readonly byName = new Map<string, ServedModel>();

  get served(): readonly ServedModel[] {
    return this.models;
  }

  add(spec: ModelSpec, reranker: ServedReranker): ServedModel {
    const model = new ServedModel(spec, reranker);
    for (const name of [spec.id, ...spec.aliases]) {
      if (this.byName.has(name)) throw new OpenRerankError("invalid_option", `model name "${name}" is already served; each id and alias must name one model.`, { name });
      this.byName.set(name, model);
    }
    this.models.push(model);
    return model;
  }

  /**
   * The model a request names. Without a name: the only model, or with `firstAsDefault`
   * (TEI, whose API has no model field) the first one.
   */
  resolve(name: string | undefined, options: { firstAsDefault?: boolean } = {}): ServedModel {
    if (name === undefined || name === "") {
      if (this.models.length === 1 || (options.firstAsDefault && this.models.length > 0)) return this.models[0];
      throw new OpenRerankError("model_required", `model is required when several models are served; use one of: ${this.describeServed()}`, {
        field: "model",
        served: this.names(),
      });
    }
    const model = this.byName.get(name);
    if (model !== undefined) return model;
    throw new OpenRerankError("model_not_found", `model '${name}' not found, make sure the correct model ID was used; this server serves: ${this.describeServed()}`, {
      field: "model",
      value: name,
      served: this.names(),
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.models.map((model) => model.reranker.dispose()));
  }

  private names(): string[] {
    return [...this.byName.keys()];
  }

  private describeServed(): string {
    if (this.models.length === 0) return "(no model is loaded yet)";
    return this.models.map((model) => (model.aliases.length > 0 ? `${model.id} (aliases: ${model.aliases.join(", ")})` : model.id)).join("; ");
  }
}
