/**
 * The text files of an exported package: README.md (the input/output contract), and for ONNX
 * exports example/detect.mjs (Node + onnxruntime-web, prints the boxes `detecta predict` prints),
 * example/package.json and example/detect.py (Python + onnxruntime, for researchers).
 */
import type { ExportedModelInfo } from '../../shared/api/train';

const fmt = (v: number | null, digits = 4): string => (v === null ? '–' : v.toFixed(digits));

function contract(meta: ExportedModelInfo): string[] {
  const input = meta.input!;
  const lines = [
    '## Input',
    '',
    `- \`${meta.onnx?.input.name ?? 'input'}\` (ONNX) / the model's only input (TF.js): float32, **NHWC** \`[${input.shape.join(', ')}]\`, ${input.channels} pixels **0..255** (not normalised: ${meta.normalization}).`,
  ];
  if (meta.task === 'detect') {
    lines.push(
      `- Preparation, as the studio does it: decode the image with its EXIF orientation applied, shrink it (linear) to fit ${meta.inputSize}×${meta.inputSize} keeping its aspect,`,
      meta.resizeMode === 'stretch'
        ? `  then stretch it bilinearly to ${meta.inputSize}×${meta.inputSize}.`
        : `  then resize bilinearly to fit and **letterbox**: centre it on a ${meta.inputSize}×${meta.inputSize} canvas filled with 127.5 (offset = floor((${meta.inputSize} − side) / 2)).`,
      '',
      '## Output',
      '',
      `- \`${meta.onnx?.output.name ?? 'output'}\`: ${meta.head!.output}`,
      '',
      '## Post-processing (decode + NMS)',
      '',
    );
    if (meta.head!.kind === 'points') {
      const C = meta.classes.length;
      lines.push(
        `Anchor-free points at strides ${meta.head!.strides.join(', ')}: N = Σ (${meta.inputSize} / s)² points, stride ${meta.head!.strides[0]} first, each level row-major.`,
        `Point (row, col) of stride s sits at ((col + 0.5)·s, (row + 0.5)·s) input pixels. Per point: ${C} class logits (score = sigmoid), then for each side`,
        `(left, top, right, bottom) ${meta.head!.regBins} logits of a distribution over distances 0 … ${meta.head!.regBins! - 1} strides: distance = s · Σ k·softmax(logits)[k].`,
        'Box = (cx − left, cy − top, cx + right, cy + bottom) in input pixels.',
      );
    } else {
      lines.push(
        `YOLOv2 grid ${meta.inputSize! / 32}×${meta.inputSize! / 32} (stride 32), ${meta.anchors!.length} anchors (w, h in grid cells): ${JSON.stringify(meta.anchors)}.`,
        'Per cell and anchor: tx, ty, tw, th, objectness logit, class logits.',
        'cx = (col + sigmoid(tx)) · 32, cy = (row + sigmoid(ty)) · 32, w = anchorW · exp(tw) · 32, h = anchorH · exp(th) · 32 (input pixels);',
        'score(c) = sigmoid(objectness) · softmax(class logits)[c].',
      );
    }
    lines.push(
      '',
      `Keep the best class of each candidate when its score ≥ the confidence threshold (${meta.thresholds.confidence}), undo the letterbox`,
      '(x − offsetX) / scale, clip to the image, then per-class greedy NMS (suppress IoU > the IoU threshold,',
      `${meta.thresholds.iou}; at most 100 boxes). The studio's implementation is shared/ml/detector/postprocess.ts; example/detecta-postprocess.mjs is that code bundled.`,
    );
  } else {
    lines.push(
      `- Preparation: decode with EXIF orientation applied and resize to ${meta.inputShape![1]}×${meta.inputShape![0]}${meta.inputShape![2] === 1 ? ', grayscale' : ''}.`,
      '',
      '## Output',
      '',
      `- \`${meta.onnx?.output.name ?? 'output'}\`: float32 \`[batch, ${meta.classes.length}]\` softmax probabilities in the order of \`classes\` in detecta-model.json.`,
    );
  }
  return lines;
}

export function packageReadme(meta: ExportedModelInfo): string {
  const v = meta.onnx?.verification;
  const lines = [
    `# ${meta.run} — ${meta.task === 'detect' ? 'object detector' : 'image classifier'} exported by Detecta Studio`,
    '',
    `Classes (${meta.classes.length}): ${meta.classes.join(', ')}. Weights: ${meta.weights}. Exported ${meta.exportedAt}.`,
    '',
    '## Files',
    '',
    '- `model.json` + weight files: TensorFlow.js LayersModel (`tf.loadLayersModel`).',
  ];
  if (meta.onnx) {
    lines.push(
      `- \`${meta.onnx.file}\`: ONNX, opset ${meta.onnx.opset} (IR ${meta.onnx.irVersion}), float32, BatchNorm folded into the convolutions (${meta.onnx.foldedBatchNorms}). Same input and output tensors as the TF.js model.`,
      '- `example/detect.mjs`: Node example (onnxruntime-web + sharp): `cd example && npm install && node detect.mjs IMAGE [--conf 0.25] [--iou 0.45] [--json]`.',
      '- `example/detect.py`: Python example (onnxruntime, numpy, Pillow): `python detect.py IMAGE`.',
    );
  }
  lines.push('- `detecta-model.json`: classes, input size and shape, resize mode, normalisation, thresholds, anchors or strides, and the export check.', '');
  if (v) {
    lines.push(
      '## Checked at export',
      '',
      `The ONNX model (${v.runtime}) and the TF.js model (backend ${v.tfjsBackend}) ran on the ${v.images} ${v.split} images of the run:`,
      `max |ONNX − TF.js| over all outputs ${v.maxAbsDiff.toExponential(2)} (allowed ${v.tolerance}); ${v.metric} ONNX ${fmt(v.onnx)} vs TF.js ${fmt(v.tfjs)} (allowed difference ${v.metricTolerance}).`,
      '',
    );
  }
  lines.push(...contract(meta), '');
  return lines.join('\n');
}

export function examplePackageJson(versions: { onnxruntimeWeb: string; sharp: string }): string {
  return JSON.stringify({
    name: 'detecta-model-example', private: true, type: 'module',
    description: 'Runs the exported ONNX model on an image (see ../README.md)',
    dependencies: { 'onnxruntime-web': versions.onnxruntimeWeb, sharp: versions.sharp },
  }, null, 2) + '\n';
}

/** example/detect.mjs: loads ../model.onnx and prints detections (or classes) for an image. */
export const EXAMPLE_SCRIPT = `// Runs ../model.onnx on one image with onnxruntime-web (wasm) in Node and prints what it finds.
//   npm install            (onnxruntime-web and sharp, see package.json)
//   node detect.mjs IMAGE [--conf 0.25] [--iou 0.45] [--top 3] [--json]
// Detectors: one line per box, "class score x1 y1 x2 y2" in the image's pixels (the boxes
// \`detecta predict\` finds); --json prints { detections: [...] } instead.
// Classifiers: the top classes with their probabilities.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { prepareImageFile, detectionsInFile, classifierInput, topClasses } from './detecta-postprocess.mjs';

const here = new URL('..', import.meta.url);
const { values, positionals } = parseArgs({ allowPositionals: true, options: { conf: { type: 'string' }, iou: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' } } });
if (positionals.length !== 1) {
  console.error('usage: node detect.mjs IMAGE [--conf 0.25] [--iou 0.45] [--top 3] [--json]');
  process.exit(2);
}
const meta = JSON.parse(await readFile(new URL('detecta-model.json', here), 'utf8'));
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(await readFile(new URL(meta.onnx.file, here)));
const run = async (data, dims) => (await session.run({ [meta.onnx.input.name]: new ort.Tensor('float32', data, dims) }))[meta.onnx.output.name].data;

if (meta.task === 'detect') {
  const config = meta.detector;
  const image = await prepareImageFile(positionals[0], config);
  const raw = await run(image.input, [1, config.inputSize, config.inputSize, 3]);
  const thresholds = { confidence: Number(values.conf ?? 0.25), iou: Number(values.iou ?? 0.45) };
  const found = detectionsInFile(raw, config, image, thresholds).map((d) => ({
    label: meta.classes[d.classId] ?? 'class' + d.classId, classId: d.classId, score: Math.round(d.score * 1e4) / 1e4,
    x1: Math.round(d.x1 * 100) / 100, y1: Math.round(d.y1 * 100) / 100, x2: Math.round(d.x2 * 100) / 100, y2: Math.round(d.y2 * 100) / 100,
  }));
  if (values.json) console.log(JSON.stringify({ image: positionals[0], width: image.original.width, height: image.original.height, detections: found }));
  else if (found.length === 0) console.log('nothing found');
  else for (const d of found) console.log(\`\${d.label} \${d.score.toFixed(4)} \${d.x1} \${d.y1} \${d.x2} \${d.y2}\`);
} else {
  const shape = meta.inputShape;
  const probs = await run(await classifierInput(positionals[0], shape), [1, ...shape]);
  const top = topClasses(probs, meta.classes, Number(values.top ?? 3));
  if (values.json) console.log(JSON.stringify({ image: positionals[0], classes: top }));
  else for (const c of top) console.log(\`\${c.label} \${c.score.toFixed(4)}\`);
}
`;

/** example/detect.py: the same with onnxruntime for Python (not run by the studio's tests). */
export const PYTHON_EXAMPLE = `"""Runs ../model.onnx on one image with onnxruntime (Python) and prints what it finds.

    pip install onnxruntime numpy pillow
    python detect.py IMAGE [--conf 0.25] [--iou 0.45]

A transcription of the studio's preparation and decode (see ../README.md); Pillow's resampling
differs slightly from sharp's, so scores can differ in the last digits from \`detecta predict\`.
"""
import argparse, json, math, pathlib
import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

here = pathlib.Path(__file__).resolve().parent.parent
meta = json.loads((here / "detecta-model.json").read_text())
ap = argparse.ArgumentParser()
ap.add_argument("image")
ap.add_argument("--conf", type=float, default=0.25)
ap.add_argument("--iou", type=float, default=0.45)
args = ap.parse_args()
session = ort.InferenceSession(str(here / meta["onnx"]["file"]), providers=["CPUExecutionProvider"])
run = lambda x: session.run([meta["onnx"]["output"]["name"]], {meta["onnx"]["input"]["name"]: x})[0]
img = ImageOps.exif_transpose(Image.open(args.image))

if meta["task"] == "classify":
    h, w, c = meta["inputShape"]
    im = img.convert("L" if c == 1 else "RGB").resize((w, h), Image.BILINEAR)
    x = np.asarray(im, dtype=np.float32).reshape(1, h, w, c)
    probs = run(x)[0]
    for i in np.argsort(-probs)[:3]:
        print(meta["classes"][i], f"{probs[i]:.4f}")
    raise SystemExit

cfg = meta["detector"]
S = cfg["inputSize"]
img = img.convert("RGB")
W, H = img.size
if max(W, H) > S:  # shrink to fit S x S, keeping the aspect
    k = min(S / W, S / H)
    img = img.resize((max(1, round(W * k)), max(1, round(H * k))), Image.BILINEAR)
dw, dh = img.size
if cfg["resizeMode"] == "stretch":
    canvas = np.asarray(img.resize((S, S), Image.BILINEAR), dtype=np.float32)
    sx, sy, ox, oy = S / dw, S / dh, 0, 0
else:
    k = min(S / dw, S / dh)
    nw, nh = max(1, round(dw * k)), max(1, round(dh * k))
    ox, oy = (S - nw) // 2, (S - nh) // 2
    canvas = np.full((S, S, 3), 127.5, dtype=np.float32)
    canvas[oy:oy + nh, ox:ox + nw] = np.asarray(img.resize((nw, nh), Image.BILINEAR), dtype=np.float32)
    sx, sy = nw / dw, nh / dh
raw = run(canvas[None])[0]
sig = lambda v: 1 / (1 + np.exp(-v))
C = len(meta["classes"])
boxes, scores, labels = [], [], []
head = cfg["head"]
if head.get("kind") == "points":
    R = head["regBins"]
    flat = raw.reshape(-1, C + 4 * R)
    i = 0
    for s in head["strides"]:
        g = S // s
        for row in range(g):
            for col in range(g):
                v = flat[i]; i += 1
                c = int(np.argmax(v[:C])); score = float(sig(v[c]))
                if score < args.conf:
                    continue
                d = []
                for side in range(4):
                    z = v[C + side * R:C + (side + 1) * R]
                    p = np.exp(z - z.max()); p /= p.sum()
                    d.append(float((p * np.arange(R)).sum()) * s)
                cx, cy = (col + 0.5) * s, (row + 0.5) * s
                boxes.append([cx - d[0], cy - d[1], cx + d[2], cy + d[3]]); scores.append(score); labels.append(c)
else:
    A = len(cfg["anchors"])
    g = S // 32
    grid = raw.reshape(g, g, A, 5 + C)
    for row in range(g):
        for col in range(g):
            for a in range(A):
                v = grid[row, col, a]
                p = np.exp(v[5:] - v[5:].max()); p /= p.sum()
                c = int(np.argmax(p)); score = float(sig(v[4]) * p[c])
                if score < args.conf:
                    continue
                cx, cy = (col + sig(v[0])) * 32, (row + sig(v[1])) * 32
                w, h = cfg["anchors"][a][0] * math.exp(v[2]) * 32, cfg["anchors"][a][1] * math.exp(v[3]) * 32
                boxes.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]); scores.append(score); labels.append(c)

def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]); ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)

kept = []
for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
    if len(kept) < 100 and all(labels[j] != labels[i] or iou(boxes[i], boxes[j]) <= args.iou for j in kept):
        kept.append(i)
for i in kept:  # back to the original image's pixels, clipped
    x1, y1, x2, y2 = boxes[i]
    f = lambda v, o, s, lim, scale: min(max((v - o) / s, 0), lim) * scale
    x1, x2 = (f(v, ox, sx, dw, W / dw) for v in (x1, x2))
    y1, y2 = (f(v, oy, sy, dh, H / dh) for v in (y1, y2))
    print(meta["classes"][labels[i]], f"{scores[i]:.4f}", round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2))
`;
