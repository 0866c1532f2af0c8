/**
 * The hardware limit for a cross-encoder on this machine: ONNX Runtime's own MatMul throughput
 * at the model's matrix shapes, with the engine's session settings and thread count.
 *
 * The probe is one encoder layer's six weight products and nothing else: Q, K and V
 * ([M, h] × [h, h], one shared input), the attention output ([M, h] × [h, h]), and the
 * feed-forward pair ([M, h] × [h, I] and [M, I] × [I, h]). For int8 the same graph goes through the repository's quantize_dynamic rewrite, so it
 * runs the DynamicQuantizeLinear + MatMulInteger kernels an int8 export runs (ONNX Runtime fuses
 * them the same way), activation quantization included.
 */
import * as ort from "onnxruntime-node";
import { cpuSessionOptions } from "../src/backends/cross-encoder-onnx/onnx-session.js";
import { encodeOnnxModel } from "../src/testmodels/onnx-codec.js";
import { DataType, floatTensor, type OnnxModel, type OnnxNode } from "../src/testmodels/onnx-model.js";
import { quantizeDynamic } from "../src/testmodels/quantize-dynamic.js";
import { SeededRandom } from "../src/testmodels/seeded-random.js";
import type { BertDimensions } from "./model-flops.js";

export interface RooflineSettings {
  dtype: "fp32" | "int8";
  /** Intra-op threads; undefined means ONNX Runtime's default, as in the engine. */
  threads?: number;
}

/**
 * One layer's weight products as a standalone ONNX graph with a dynamic token dimension M, wired
 * like the layer so that only [M, h] goes in and out (copying six outputs back to JavaScript
 * would be measured too): Q, K and V read the input, their Sum feeds the output projection,
 * which feeds the feed-forward pair.
 */
export function buildLayerMatMulGraph(model: Pick<BertDimensions, "hidden" | "intermediate">, dtype: "fp32" | "int8"): OnnxModel {
  const { hidden, intermediate } = model;
  const random = new SeededRandom(7);
  const weight = (name: string, rows: number, columns: number) => floatTensor(name, [rows, columns], random.normalArray(rows * columns, 1 / Math.sqrt(rows)));
  const matmul = (name: string, input: string): OnnxNode => ({ opType: "MatMul", name: `/${name}/MatMul`, inputs: [input, `${name}.weight`], outputs: [`${name}_out`], attributes: {} });
  const nodes: OnnxNode[] = [
    matmul("query", "hidden_states"),
    matmul("key", "hidden_states"),
    matmul("value", "hidden_states"),
    { opType: "Sum", name: "/attention/Sum", inputs: ["query_out", "key_out", "value_out"], outputs: ["context"], attributes: {} },
    matmul("attention_output", "context"),
    // Identity (which ONNX Runtime removes) keeps the int8 rewrite's tensor names apart when a MatMul feeds a MatMul.
    { opType: "Identity", name: "/attention_output/Identity", inputs: ["attention_output_out"], outputs: ["attention_output_identity"], attributes: {} },
    matmul("intermediate", "attention_output_identity"),
    { opType: "Identity", name: "/intermediate/Identity", inputs: ["intermediate_out"], outputs: ["intermediate_identity"], attributes: {} },
    matmul("output", "intermediate_identity"),
  ];
  const fp32: OnnxModel = {
    irVersion: 8,
    opsetVersion: 14,
    producerName: "openrerank bench",
    producerVersion: "1",
    graphName: "layer_matmuls",
    docString: "One BERT layer's weight MatMuls, for measuring ONNX Runtime's MatMul throughput.",
    metadata: {},
    nodes,
    initializers: [
      weight("query.weight", hidden, hidden),
      weight("key.weight", hidden, hidden),
      weight("value.weight", hidden, hidden),
      weight("attention_output.weight", hidden, hidden),
      weight("intermediate.weight", hidden, intermediate),
      weight("output.weight", intermediate, hidden),
    ],
    inputs: [{ name: "hidden_states", elemType: DataType.FLOAT, dims: ["m", hidden] }],
    outputs: [{ name: "output_out", elemType: DataType.FLOAT, dims: ["m", hidden] }],
  };
  return dtype === "int8" ? quantizeDynamic(fp32) : fp32;
}

/** FLOPs of one run of the layer graph with M rows. */
export function layerMatMulFlops(model: Pick<BertDimensions, "hidden" | "intermediate">, rows: number): number {
  return 2 * rows * (4 * model.hidden * model.hidden + 2 * model.hidden * model.intermediate);
}

/** Times the layer graph; `sample(rows)` is one timed run at M = rows, in GFLOP/s. */
export class MatMulRoofline {
  private readonly feeds = new Map<number, Record<string, ort.Tensor>>();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly model: Pick<BertDimensions, "hidden" | "intermediate">,
  ) {}

  static async create(model: Pick<BertDimensions, "hidden" | "intermediate">, settings: RooflineSettings): Promise<MatMulRoofline> {
    const bytes = encodeOnnxModel(buildLayerMatMulGraph(model, settings.dtype));
    const session = await ort.InferenceSession.create(bytes, cpuSessionOptions({ threads: settings.threads }));
    return new MatMulRoofline(session, model);
  }

  private feedsFor(rows: number): Record<string, ort.Tensor> {
    let feeds = this.feeds.get(rows);
    if (!feeds) {
      const hidden = this.model.hidden;
      feeds = { hidden_states: new ort.Tensor("float32", new SeededRandom(rows).normalArray(rows * hidden, 1), [rows, hidden]) };
      this.feeds.set(rows, feeds);
    }
    return feeds;
  }

  /** GFLOP/s of one run at M = rows (the first run at a new M should be discarded as warm-up). */
  async run(rows: number): Promise<number> {
    const feeds = this.feedsFor(rows);
    const started = performance.now();
    await this.session.run(feeds);
    const ms = performance.now() - started;
    return layerMatMulFlops(this.model, rows) / ms / 1e6;
  }

  /**
   * One roofline sample at M = rows: an untimed run to wake ONNX Runtime's thread pool (its
   * threads sleep between the engine's requests too, but a whole request amortizes the wake-up
   * and a 10 ms probe does not), then the median of at least `runs` timed runs and 100 ms.
   */
  async sample(rows: number, runs = 5): Promise<number> {
    await this.run(rows);
    const rates: number[] = [];
    const started = performance.now();
    while (rates.length < runs || performance.now() - started < 100) rates.push(await this.run(rows));
    rates.sort((a, b) => a - b);
    return rates[Math.floor(rates.length / 2)];
  }

  /**
   * The best median rate over candidate row counts (tokens per batch), so the roofline is the
   * best ONNX Runtime can do at these shapes, not the rate at whatever batch size the engine
   * picked. Returns the winning M and its median.
   */
  async calibrate(candidates: readonly number[], runs: number): Promise<{ rows: number; gflops: number; byRows: Record<number, number> }> {
    const byRows: Record<number, number> = {};
    for (const rows of candidates) byRows[rows] = await this.sample(rows, runs);
    const [rows, gflops] = Object.entries(byRows).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    return { rows: Number(rows), gflops, byRows };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
