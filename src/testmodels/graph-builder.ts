import { floatTensor, int64Tensor, type AttributeValue, type OnnxNode, type Tensor } from "./onnx-model.js";

/**
 * Collects nodes and initializers with torch-export-style names: a node in scope
 * `/bert/encoder/layer.0/attention/self` of type MatMul is `/bert/.../self/MatMul` (then
 * `MatMul_1`, ...) and its output `<node name>_output_0`, so graphs read like real exports.
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Tensor[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** Adds a node and returns its output names. */
  add(scope: string, opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputCount = 1): string[] {
    let name = `${scope}/${opType}`;
    for (let n = 1; this.usedNames.has(name); n++) name = `${scope}/${opType}_${n}`;
    this.usedNames.add(name);
    const outputs = Array.from({ length: outputCount }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ opType, name, inputs, outputs, attributes });
    return outputs;
  }

  /** Like add, for the usual single-output node. */
  op(scope: string, opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.add(scope, opType, inputs, attributes)[0];
  }

  /** Adds a named weight. */
  initializer(tensor: Tensor): string {
    this.initializers.push(tensor);
    return tensor.name;
  }

  /** A shared scalar float constant (shape []), stored once per value. */
  floatScalar(value: number): string {
    return this.shared(`float:${value}`, (name) => floatTensor(name, [], [value]));
  }

  /** A shared int64 constant: a scalar when `dims` is [], else a 1-D vector. */
  int64Constant(values: number[], dims: number[] = [values.length]): string {
    return this.shared(`int64:${dims.join("x")}:${values.join(",")}`, (name) => int64Tensor(name, dims, values));
  }

  private shared(key: string, make: (name: string) => Tensor): string {
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = `onnx::Constant_${this.constants.size}`;
    this.constants.set(key, name);
    this.initializers.push(make(name));
    return name;
  }
}
