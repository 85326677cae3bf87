/**
 * Model adapters: a small JSON description that lets one detection path run models of different
 * families (our own YOLOv2 LayersModels, third-party tfjs GraphModels) on the same frames.
 *
 * It says how to build the input tensor (side, fit mode, channel order, per-channel mean/std in
 * that channel order, NHWC or NCHW) and how to turn the raw outputs into boxes (decoder), plus
 * the class names. Pure TypeScript + zod: used by the renderer, the main side and the tests.
 */
import { z } from 'zod';

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const decoderSchema = z.discriminatedUnion('kind', [
  /** Our detector: YOLOv2 grid output; anchors etc. come from the model's own detectaDetector metadata. */
  z.object({ kind: z.literal('detecta-yolo') }),
  /** One output of [1, N, 6] rows x1,y1,x2,y2,score,classId in input pixels (CenterNet top-K). */
  z.object({ kind: z.literal('topk-boxes'), output: z.string().min(1) }),
  /** NanoDet v0.x GFL heads: per stride a [1, n², C] sigmoid score and a [1, n², 4·(regMax+1)] distance output. */
  z.object({
    kind: z.literal('gfl-grid'),
    strides: z.array(z.number().int().positive()).min(1),
    regMax: z.number().int().positive(),
    /** Cell centre offset in cells (v0.x: 0.5). */
    centerOffset: z.number().min(0).max(1),
    /** NMS across classes (true) or per class (false). */
    classAgnosticNms: z.boolean(),
  }),
]);

export const adapterMetadataSchema = z.object({
  name: z.string().min(1),
  format: z.enum(['layers', 'graph']),
  inputSize: z.number().int().positive(),
  resize: z.enum(['letterbox', 'stretch']),
  layout: z.enum(['NHWC', 'NCHW']),
  channels: z.enum(['RGB', 'BGR']),
  /** Subtracted per channel (in `channels` order) from 0..255 values. */
  mean: triple,
  /** Divides per channel after the mean. */
  std: triple.refine((s) => s.every((v) => v !== 0), 'std must not be 0'),
  decoder: decoderSchema,
  labels: z.array(z.string().min(1)).min(1),
  defaultScore: z.number().min(0).max(1),
  defaultIou: z.number().min(0).max(1),
});

export type AdapterDecoder = z.infer<typeof decoderSchema>;
export type AdapterMetadata = z.infer<typeof adapterMetadataSchema>;

/** Parses an adapter JSON (a zoo entry's, or `detecta-adapter.json` in a model folder) with a clear error. */
export function parseAdapterMetadata(value: unknown, where: string): AdapterMetadata {
  const r = adapterMetadataSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${where}: not a valid model adapter (${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'})`);
  }
  return r.data;
}

/** The adapter of one of our own detectors, from its config (classes from the run or the config). */
export function detectaAdapter(name: string, inputSize: number, resize: 'letterbox' | 'stretch', labels: string[]): AdapterMetadata {
  return {
    name,
    format: 'layers',
    inputSize,
    resize,
    layout: 'NHWC',
    channels: 'RGB',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    decoder: { kind: 'detecta-yolo' },
    labels,
    defaultScore: 0.25,
    defaultIou: 0.45,
  };
}
