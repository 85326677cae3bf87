/**
 * A small builder for an ONNX graph: nodes, float/int64 initializers, inputs and outputs, encoded
 * with the protobufjs classes generated from onnx.proto (the `onnx-proto` package). Nothing here
 * knows about tfjs; tfjs-to-onnx.ts drives it.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The ONNX operator set the exporter writes (ai.onnx domain). */
export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (onnx 1.12+). */
export const ONNX_IR_VERSION = 8;

type AttrValue = number | number[] | string | { floats: number[] } | { float: number };

function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: ${value} is not an integer (pass { float } for floats)`);
    return { name, type: T.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

export interface ValueInfo {
  name: string;
  /** Dimensions; a string is a named (dynamic) dimension. */
  shape: (number | string)[];
}

export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly floatInits = new Map<string, { dims: number[]; data: Float32Array }>();
  private readonly intInits = new Map<string, { dims: number[]; data: number[] }>();
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();

  /** A fresh value name based on `base` (names are unique in the graph). */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Keeps `name` from being handed out by `unique` (the graph's output name, set last). */
  reserve(name: string): void {
    this.used.add(name);
  }

  input(info: ValueInfo): void {
    this.used.add(info.name);
    this.inputs.push(info);
  }

  output(info: ValueInfo): void {
    this.outputs.push(info);
  }

  /** Adds a node; returns the name of its (first) output. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    const out = outputName ?? this.unique(`${opType.toLowerCase()}_out`);
    this.used.add(out);
    this.nodes.push({
      opType, input: inputs, output: [out], name: this.unique(`${opType}_${this.nodes.length}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** A float32 initializer; the data array is kept by reference until `encode` (weights may still be folded). */
  floatTensor(base: string, dims: number[], data: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`ONNX initializer ${base}: ${data.length} values for shape [${dims}]`);
    const name = this.unique(base);
    this.floatInits.set(name, { dims, data });
    return name;
  }

  floatData(name: string): Float32Array | undefined {
    return this.floatInits.get(name)?.data;
  }

  replaceFloatData(name: string, data: Float32Array): void {
    const t = this.floatInits.get(name);
    if (!t || t.data.length !== data.length) throw new Error(`ONNX initializer ${name}: cannot replace its data`);
    t.data = data;
  }

  int64Tensor(base: string, data: number[], dims: number[] = [data.length]): string {
    const name = this.unique(base);
    this.intInits.set(name, { dims, data });
    return name;
  }

  scalar(base: string, value: number): string {
    return this.floatTensor(base, [], new Float32Array([value]));
  }

  /** Serialises the model (ModelProto) to bytes. */
  encode(options: { graphName: string; producerVersion: string; docString?: string; metadata?: Record<string, string> }): Uint8Array {
    const valueInfo = (v: ValueInfo): onnxProto.onnx.IValueInfoProto => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
    const initializer: onnxProto.onnx.ITensorProto[] = [
      ...[...this.floatInits].map(([name, t]) => ({
        name, dims: t.dims, dataType: onnx.TensorProto.DataType.FLOAT,
        // raw_data is little-endian float32, which is the byte order of every platform we run on
        rawData: new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)),
      })),
      ...[...this.intInits].map(([name, t]) => ({ name, dims: t.dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: t.data })),
    ];
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'detecta-studio',
      producerVersion: options.producerVersion,
      docString: options.docString ?? '',
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
    const err = onnx.ModelProto.verify(model);
    if (err) throw new Error(`ONNX model does not verify: ${err}`);
    return onnx.ModelProto.encode(model).finish();
  }
}
