import protobuf from "protobufjs";
import { ONNX_PROTO_SCHEMA } from "./onnx-schema.js";
import { DataType, type AttributeValue, type DataTypeCode, type OnnxModel, type OnnxNode, type Tensor, type TensorData, type ValueInfo } from "./onnx-model.js";

const root = protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: false }).root;
const ModelProto = root.lookupType("onnx.ModelProto");

const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, FLOATS: 6, INTS: 7 } as const;

/** Serializes a model to ONNX protobuf bytes; tensors go into raw_data (little-endian). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(modelMessage(model, model.initializers.map(encodeTensor)))).finish();
}

/**
 * Serializes a model the way exports over protobuf's 2 GB limit are published: the graph in
 * one file, the bytes of every initializer of at least `sizeThreshold` bytes in `dataFileName`
 * beside it (e.g. `model.onnx_data`), referenced by offset and length. Smaller tensors stay
 * inline, as onnx's `convert_model_to_external_data` keeps them (threshold 1024): shape
 * inference must read constants such as Unsqueeze axes and Reshape shapes from the graph.
 */
export function encodeOnnxModelWithExternalData(model: OnnxModel, dataFileName: string, sizeThreshold = 1024): { model: Uint8Array; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const initializers = model.initializers.map((tensor) => {
    const bytes = tensorBytes(tensor);
    if (bytes.byteLength < sizeThreshold) return encodeTensor(tensor);
    chunks.push(bytes);
    const entry = {
      name: tensor.name,
      dataType: tensor.dataType,
      dims: tensor.dims,
      dataLocation: 1,
      externalData: [
        { key: "location", value: dataFileName },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(bytes.byteLength) },
      ],
    };
    offset += bytes.byteLength;
    return entry;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.byteLength;
  }
  return { model: ModelProto.encode(ModelProto.fromObject(modelMessage(model, initializers))).finish(), data };
}

function modelMessage(model: OnnxModel, initializers: Record<string, unknown>[]): Record<string, unknown> {
  return {
    irVersion: model.irVersion,
    opsetImport: [{ domain: "", version: model.opsetVersion }],
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    graph: {
      name: model.graphName,
      node: model.nodes.map(encodeNode),
      initializer: initializers,
      input: model.inputs.map(encodeValueInfo),
      output: model.outputs.map(encodeValueInfo),
    },
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
  };
}

function encodeNode(node: OnnxNode): Record<string, unknown> {
  return {
    input: node.inputs,
    output: node.outputs,
    name: node.name,
    opType: node.opType,
    domain: "",
    attribute: Object.entries(node.attributes).map(([name, value]) => encodeAttribute(name, value)),
  };
}

function encodeAttribute(name: string, value: AttributeValue): Record<string, unknown> {
  switch (value.kind) {
    case "int":
      return { name, type: ATTRIBUTE_TYPE.INT, i: value.value };
    case "ints":
      return { name, type: ATTRIBUTE_TYPE.INTS, ints: value.value };
    case "float":
      return { name, type: ATTRIBUTE_TYPE.FLOAT, f: value.value };
  }
}

function encodeTensor(tensor: Tensor): Record<string, unknown> {
  return { name: tensor.name, dataType: tensor.dataType, dims: tensor.dims, rawData: tensorBytes(tensor) };
}

/** A tensor's values as ONNX stores them, raw and little-endian. */
function tensorBytes(tensor: Tensor): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("raw_data is little-endian; writing ONNX tensors on a big-endian host is not supported");
  }
  const { data } = tensor;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encodeValueInfo(info: ValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: info.elemType,
        shape: { dim: info.dims.map((dim) => (typeof dim === "number" ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

/**
 * Parses ONNX bytes back into the in-memory form (tensors from raw_data, float_data or
 * int64_data, or from the external data file `readExternal` returns for a location). Used by
 * tests and by the reference forward, which must read what was written.
 */
export function decodeOnnxModel(bytes: Uint8Array, readExternal?: (location: string) => Uint8Array): OnnxModel {
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as DecodedModel;
  const graph = m.graph ?? {};
  const defaultOpset = (m.opsetImport ?? []).find((o) => !o.domain);
  return {
    irVersion: m.irVersion ?? 0,
    opsetVersion: defaultOpset?.version ?? 0,
    producerName: m.producerName ?? "",
    producerVersion: m.producerVersion ?? "",
    graphName: graph.name ?? "",
    docString: m.docString ?? "",
    metadata: Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""])),
    nodes: (graph.node ?? []).map(decodeNode),
    initializers: (graph.initializer ?? []).map((tensor) => decodeTensor(tensor.dataLocation === 1 ? withExternalBytes(tensor, readExternal) : tensor)),
    inputs: (graph.input ?? []).map(decodeValueInfo),
    outputs: (graph.output ?? []).map(decodeValueInfo),
  };
}

function decodeNode(n: DecodedNode): OnnxNode {
  const attributes: Record<string, AttributeValue> = {};
  for (const a of n.attribute ?? []) {
    if (a.type === ATTRIBUTE_TYPE.INT) attributes[a.name ?? ""] = { kind: "int", value: a.i ?? 0 };
    else if (a.type === ATTRIBUTE_TYPE.INTS) attributes[a.name ?? ""] = { kind: "ints", value: a.ints ?? [] };
    else if (a.type === ATTRIBUTE_TYPE.FLOAT) attributes[a.name ?? ""] = { kind: "float", value: a.f ?? 0 };
  }
  return { opType: n.opType ?? "", name: n.name ?? "", inputs: n.input ?? [], outputs: n.output ?? [], attributes };
}

function withExternalBytes(t: DecodedTensor, readExternal: ((location: string) => Uint8Array) | undefined): DecodedTensor {
  const entries = new Map((t.externalData ?? []).map((entry) => [entry.key ?? "", entry.value ?? ""]));
  const location = entries.get("location");
  if (location === undefined) throw new Error(`tensor ${t.name ?? "?"}: external data without a location`);
  if (!readExternal) throw new Error(`tensor ${t.name ?? "?"} lives in ${location}: pass a reader for external data`);
  const file = readExternal(location);
  const offset = Number(entries.get("offset") ?? 0);
  const length = entries.has("length") ? Number(entries.get("length")) : file.byteLength - offset;
  if (offset + length > file.byteLength) throw new Error(`tensor ${t.name ?? "?"}: ${location} ends before byte ${offset + length}`);
  return { ...t, rawData: file.subarray(offset, offset + length) };
}

function decodeTensor(t: DecodedTensor): Tensor {
  const dataType = (t.dataType ?? 0) as DataTypeCode;
  const dims = t.dims ?? [];
  return { name: t.name ?? "", dataType, dims, data: tensorData(dataType, t) };
}

function tensorData(dataType: DataTypeCode, t: DecodedTensor): TensorData {
  // Copy raw bytes into a fresh, aligned buffer before viewing them as wider elements.
  const raw = t.rawData ? new Uint8Array(t.rawData) : undefined;
  switch (dataType) {
    case DataType.FLOAT:
      return raw ? new Float32Array(raw.buffer) : Float32Array.from(t.floatData ?? []);
    case DataType.INT64:
      return raw ? new BigInt64Array(raw.buffer) : BigInt64Array.from(t.int64Data ?? [], (v) => BigInt(v));
    case DataType.INT8:
      return raw ? new Int8Array(raw.buffer) : Int8Array.from(t.int32Data ?? []);
    case DataType.UINT8:
      return raw ?? Uint8Array.from(t.int32Data ?? []);
    default:
      throw new Error(`tensor ${t.name ?? "?"}: data type ${String(dataType)} is not supported by this reader`);
  }
}

function decodeValueInfo(v: DecodedValueInfo): ValueInfo {
  const tensorType = v.type?.tensorType ?? {};
  return {
    name: v.name ?? "",
    elemType: (tensorType.elemType ?? 0) as DataTypeCode,
    dims: (tensorType.shape?.dim ?? []).map((d) => d.dimParam ?? d.dimValue ?? "?"),
  };
}

interface DecodedTensor {
  name?: string;
  dataType?: number;
  dims?: number[];
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
}
interface DecodedAttribute { name?: string; type?: number; i?: number; ints?: number[]; f?: number }
interface DecodedNode { input?: string[]; output?: string[]; name?: string; opType?: string; attribute?: DecodedAttribute[] }
interface DecodedValueInfo { name?: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } } }
interface DecodedModel {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadataProps?: { key?: string; value?: string }[];
  graph?: { name?: string; node?: DecodedNode[]; initializer?: DecodedTensor[]; input?: DecodedValueInfo[]; output?: DecodedValueInfo[] };
}
