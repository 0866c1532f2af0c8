import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeOnnxModel } from "../../src/testmodels/onnx-codec.js";

/** One query–document pair as the tokenizer encodes it, unpadded. */
export interface EncodedPair {
  inputIds: number[];
  tokenTypeIds: number[];
}

/**
 * Logits of BertForSequenceClassification in plain float64 JavaScript, one unpadded pair at a
 * time, for parity tests. Written from the BERT equations (embeddings, post-LN transformer
 * layers with exact-erf GELU, tanh pooler over [CLS], linear classifier), not from the ONNX
 * graph: it reads only the weights, by their Hugging Face names, from the initializers of
 * `modelDir/onnx/model.onnx` (as written by `openrerank make-test-model`, where MatMul weights
 * are stored transposed as `<name>.weight_t`), and the sizes from `modelDir/config.json`.
 */
export async function referenceLogits(modelDir: string, pairs: readonly EncodedPair[]): Promise<number[]> {
  const bert = loadReferenceBert(modelDir);
  return pairs.map((pair) => bert.logit(pair));
}

const cache = new Map<string, ReferenceBert>();

function loadReferenceBert(modelDir: string): ReferenceBert {
  const modelPath = path.join(modelDir, "onnx", "model.onnx");
  const key = path.resolve(modelPath);
  let bert = cache.get(key);
  if (!bert) {
    bert = new ReferenceBert(JSON.parse(readFileSync(path.join(modelDir, "config.json"), "utf8")) as BertConfig, readFileSync(modelPath));
    cache.clear(); // one model at a time: a minilm-l6 is ~90 MB of weights
    cache.set(key, bert);
  }
  return bert;
}

interface BertConfig {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  layer_norm_eps: number;
}

/** A [rows × cols] row-major float64 matrix. */
interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

class ReferenceBert {
  private readonly weights = new Map<string, Float64Array>();

  constructor(
    private readonly config: BertConfig,
    onnxBytes: Uint8Array,
  ) {
    for (const tensor of decodeOnnxModel(onnxBytes).initializers) {
      // Widened once: float64 loads make the loops below about twice as fast.
      if (tensor.data instanceof Float32Array) this.weights.set(tensor.name, Float64Array.from(tensor.data));
    }
  }

  logit(pair: EncodedPair): number {
    const { hidden_size: hidden, num_hidden_layers: layers } = this.config;
    const n = pair.inputIds.length;
    if (pair.tokenTypeIds.length !== n) throw new Error(`inputIds has ${n} ids but tokenTypeIds ${pair.tokenTypeIds.length}`);

    // Embeddings: word + absolute position (0..n-1) + token type, then LayerNorm.
    const words = this.weight("bert.embeddings.word_embeddings.weight");
    const positions = this.weight("bert.embeddings.position_embeddings.weight");
    const types = this.weight("bert.embeddings.token_type_embeddings.weight");
    let h: Matrix = { rows: n, cols: hidden, data: new Float64Array(n * hidden) };
    for (let t = 0; t < n; t++) {
      for (let j = 0; j < hidden; j++) {
        h.data[t * hidden + j] = words[pair.inputIds[t] * hidden + j] + positions[t * hidden + j] + types[pair.tokenTypeIds[t] * hidden + j];
      }
    }
    h = this.layerNorm(h, "bert.embeddings.LayerNorm");

    for (let i = 0; i < layers; i++) {
      const p = `bert.encoder.layer.${i}`;
      const attention = this.linear(this.selfAttention(h, p), `${p}.attention.output.dense`);
      h = this.layerNorm(add(attention, h), `${p}.attention.output.LayerNorm`);
      const intermediate = this.linear(h, `${p}.intermediate.dense`);
      intermediate.data.forEach((x, k) => (intermediate.data[k] = gelu(x)));
      h = this.layerNorm(add(this.linear(intermediate, `${p}.output.dense`), h), `${p}.output.LayerNorm`);
    }

    // Pooler: tanh(W·h[CLS] + b); classifier: w·pooled + b.
    const poolerW = this.weight("bert.pooler.dense.weight");
    const poolerB = this.weight("bert.pooler.dense.bias");
    const classifierW = this.weight("classifier.weight");
    let logit = this.weight("classifier.bias")[0];
    for (let o = 0; o < hidden; o++) {
      let z = poolerB[o];
      for (let k = 0; k < hidden; k++) z += poolerW[o * hidden + k] * h.data[k];
      logit += classifierW[o] * Math.tanh(z);
    }
    return logit;
  }

  /** Multi-head scaled dot-product self-attention over all tokens (no padding, so no mask). */
  private selfAttention(h: Matrix, prefix: string): Matrix {
    const heads = this.config.num_attention_heads;
    const n = h.rows;
    const size = h.cols / heads;
    const q = this.linear(h, `${prefix}.attention.self.query`);
    const k = this.linear(h, `${prefix}.attention.self.key`);
    const v = this.linear(h, `${prefix}.attention.self.value`);
    const context: Matrix = { rows: n, cols: h.cols, data: new Float64Array(n * h.cols) };
    const scores = new Float64Array(n);
    for (let head = 0; head < heads; head++) {
      const offset = head * size;
      for (let a = 0; a < n; a++) {
        let max = -Infinity;
        for (let b = 0; b < n; b++) {
          let dot = 0;
          for (let d = 0; d < size; d++) dot += q.data[a * h.cols + offset + d] * k.data[b * h.cols + offset + d];
          scores[b] = dot / Math.sqrt(size);
          max = Math.max(max, scores[b]);
        }
        let sum = 0;
        for (let b = 0; b < n; b++) sum += scores[b] = Math.exp(scores[b] - max);
        for (let b = 0; b < n; b++) {
          const weight = scores[b] / sum;
          for (let d = 0; d < size; d++) context.data[a * h.cols + offset + d] += weight * v.data[b * h.cols + offset + d];
        }
      }
    }
    return context;
  }

  /** x·Wᵀ + b with torch's W [out, in], read from its stored transpose `weight_t` [in, out]. */
  private linear(x: Matrix, prefix: string): Matrix {
    const wT = this.weight(`${prefix}.weight_t`);
    const bias = this.weight(`${prefix}.bias`);
    const out = bias.length;
    if (wT.length !== x.cols * out) throw new Error(`${prefix}: weight has ${wT.length} values, expected ${x.cols}×${out}`);
    const xd = x.data;
    const yd = new Float64Array(x.rows * out);
    for (let r = 0; r < x.rows; r++) {
      const yRow = yd.subarray(r * out, (r + 1) * out);
      yRow.set(bias);
      for (let i = 0; i < x.cols; i++) {
        const xi = xd[r * x.cols + i];
        const wRow = i * out;
        for (let j = 0; j < out; j++) yRow[j] += xi * wT[wRow + j];
      }
    }
    return { rows: x.rows, cols: out, data: yd };
  }

  private layerNorm(x: Matrix, prefix: string): Matrix {
    const gamma = this.weight(`${prefix}.weight`);
    const beta = this.weight(`${prefix}.bias`);
    const y: Matrix = { rows: x.rows, cols: x.cols, data: new Float64Array(x.data.length) };
    for (let r = 0; r < x.rows; r++) {
      const row = x.data.subarray(r * x.cols, (r + 1) * x.cols);
      const mean = row.reduce((s, v) => s + v, 0) / x.cols;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / x.cols;
      const scale = 1 / Math.sqrt(variance + this.config.layer_norm_eps);
      for (let j = 0; j < x.cols; j++) y.data[r * x.cols + j] = (row[j] - mean) * scale * gamma[j] + beta[j];
    }
    return y;
  }

  private weight(name: string): Float64Array {
    const w = this.weights.get(name);
    if (!w) throw new Error(`model.onnx has no float initializer named ${name}`);
    return w;
  }
}

function add(a: Matrix, b: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v + b.data[i]) };
}

/** BERT's "gelu": x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form, not the tanh approximation. */
function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * erf in float64 (JavaScript has none): the Maclaurin series for |x| ≤ 3, where it loses at
 * most ~1e-14 to cancellation, and erfc's continued fraction beyond, where it converges fast.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = k / 2 / (ax + fraction);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + fraction);
  return Math.sign(x) * (1 - erfc);
}
