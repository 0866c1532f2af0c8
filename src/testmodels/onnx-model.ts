/**
 * A small in-memory ONNX model: what the BERT graph builder produces, what the dynamic
 * quantizer rewrites and what the codec turns into protobuf bytes. Tensor data stays in typed
 * arrays end to end, so a 90 MB model is never expanded into arrays of JS numbers.
 */

/** TensorProto.DataType values used by test models. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type TensorData = Float32Array | Uint8Array | Int8Array | BigInt64Array;

export interface Tensor {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  data: TensorData;
}

export type AttributeValue =
  | { kind: "int"; value: number }
  | { kind: "ints"; value: number[] }
  | { kind: "float"; value: number };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

/** A graph input or output: element type and dims, each a size or a symbolic name. */
export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  dims: (number | string)[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  docString: string;
  metadata: Record<string, string>;
  nodes: OnnxNode[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export const attr = {
  int: (value: number): AttributeValue => ({ kind: "int", value }),
  ints: (value: number[]): AttributeValue => ({ kind: "ints", value }),
  float: (value: number): AttributeValue => ({ kind: "float", value }),
};

export function floatTensor(name: string, dims: number[], data: Float32Array | number[]): Tensor {
  return { name, dataType: DataType.FLOAT, dims, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

export function int64Tensor(name: string, dims: number[], values: number[]): Tensor {
  return { name, dataType: DataType.INT64, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Number of elements of a tensor with these dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}
