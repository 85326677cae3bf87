/**
 * `detecta map`: evaluates detections against ground truth from files in common formats and
 * prints per-class AP and the mAP (text, or JSON with --json).
 */
import { parseArgs } from 'node:util';
import { evaluateCoco, evaluateVoc, MetricsInputError, type CocoResult, type VocResult } from '../../../shared/metrics';
import { DET_FORMATS, FormatError, GT_FORMATS, loadEvaluationInput, readNames, type DetectionFormat, type GroundTruthFormat, type LoadOptions, type TxtBoxFormat } from '../../metrics';


const PROTOCOLS = ['voc', 'voc07', 'coco'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const BOX_FORMATS = ['xyxy', 'xywh', 'rel'] as const;
const CONVENTIONS = ['inclusive', 'continuous'] as const;

export const usage = `usage: detecta map --gt PATH --det PATH [options]

Evaluates detections against ground truth and prints the AP of each class and the mAP.

  --gt PATH              ground truth: a folder of VOC XML / YOLO / txt files, or a COCO JSON file
  --det PATH             detections: a folder of txt / YOLO files, or a COCO results JSON file
  --gt-format FORMAT     voc | yolo | coco | txt   (default: inferred from PATH)
  --det-format FORMAT    txt | coco | yolo | detecta (default: detecta for detecta predict's detections.json,
                         coco for another .json file, else txt)
  --protocol NAME        voc   all-point AP at --iou, VOC's +1 pixel IoU (default; mAP50 at 0.5)
                         voc07 VOC2007 11-point AP at --iou, +1 pixel IoU
                         coco  pycocotools bbox metrics: mAP50-95, AP50, AP75, APs/m/l, AR1/10/100
  --iou T                IoU threshold of voc / voc07, a match needs IoU >= T (default 0.5)
  --iou-convention C     inclusive (+1, default for voc/voc07) | continuous (no +1)
  --box FORMAT           txt box numbers: xyxy (left top right bottom, Cartucho; default) |
                         xywh (left top width height, Padilla) | rel (relative x-center y-center w h)
  --names FILE           class names, one per line; integer classes in txt/YOLO files are ids into it
  --img-size W,H         image size for relative boxes (YOLO, --box rel) when the ground truth has none
  --images DIR           read image sizes for relative boxes from the images in DIR
  --json                 print the result as JSON
  -h, --help             print this help

txt formats (one file per image, named after it):
  ground truth  <class> <left> <top> <right> <bottom> [difficult]
  detections    <class> <confidence> <left> <top> <right> <bottom>
Score ties are broken in reading order (files by name, lines in order; COCO: ascending image id).
Detections of classes without ground truth are ignored; detections on images without ground truth
are false positives.`;

class UsageError extends Error {}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

interface MapArgs {
  gt: string;
  det: string;
  protocol: Protocol;
  iou: number;
  convention: (typeof CONVENTIONS)[number] | undefined;
  json: boolean;
  load: LoadOptions;
}

function parse(argv: string[]): MapArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        gt: { type: 'string' },
        det: { type: 'string' },
        'gt-format': { type: 'string' },
        'det-format': { type: 'string' },
        protocol: { type: 'string' },
        iou: { type: 'string' },
        'iou-convention': { type: 'string' },
        box: { type: 'string' },
        names: { type: 'string' },
        'img-size': { type: 'string' },
        images: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  if (!values.gt) throw new UsageError('--gt PATH is required');
  if (!values.det) throw new UsageError('--det PATH is required');
  const protocol = oneOf(values.protocol, PROTOCOLS, '--protocol') ?? 'voc';
  let iou = 0.5;
  if (values.iou !== undefined) {
    if (protocol === 'coco') throw new UsageError('--iou does not apply to --protocol coco (it uses IoU .50:.05:.95)');
    iou = Number(values.iou);
    if (values.iou.trim() === '' || !Number.isFinite(iou) || iou <= 0 || iou > 1) throw new UsageError(`--iou must be a number in (0, 1], got "${values.iou}"`);
  }
  const convention = oneOf(values['iou-convention'], CONVENTIONS, '--iou-convention');
  if (convention && protocol === 'coco') throw new UsageError('--iou-convention does not apply to --protocol coco (always continuous)');
  const load: LoadOptions = {
    gtFormat: oneOf<GroundTruthFormat>(values['gt-format'], GT_FORMATS, '--gt-format'),
    detFormat: oneOf<DetectionFormat>(values['det-format'], DET_FORMATS, '--det-format'),
    box: oneOf<TxtBoxFormat>(values.box, BOX_FORMATS, '--box'),
    imagesDir: values.images,
  };
  if (values['img-size'] !== undefined) {
    const m = /^(\d+)[,x](\d+)$/.exec(values['img-size']);
    if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) throw new UsageError(`--img-size must be W,H in pixels, got "${values['img-size']}"`);
    load.imageSize = { width: Number(m[1]), height: Number(m[2]) };
  }
  if (values.names !== undefined) load.names = readNames(values.names);
  return { gt: values.gt, det: values.det, protocol, iou, convention, json: values.json, load };
}

const pct = (v: number | null) => (v === null ? '   n/a' : `${(v * 100).toFixed(2)}%`);

function vocMetricName(r: VocResult): string {
  if (r.method === 'all-point' && r.iouThreshold === 0.5 && r.pixelConvention === 'inclusive') return 'mAP50';
  return `mAP@${r.iouThreshold}${r.method === '11-point' ? ' (11-point)' : ''}`;
}

function formatVoc(r: VocResult): string {
  const width = Math.max(5, ...r.classes.map((c) => c.className.length));
  const lines = [
    `protocol: ${r.method === '11-point' ? 'VOC2007 11-point' : 'VOC all-point'} AP, IoU >= ${r.iouThreshold}, ${r.pixelConvention === 'inclusive' ? '+1 (inclusive)' : 'continuous'} pixel IoU`,
    `${'class'.padEnd(width)}      AP     GT     TP     FP`,
    ...r.classes.map((c) => `${c.className.padEnd(width)} ${pct(c.ap).padStart(7)} ${String(c.numGroundTruth).padStart(6)} ${String(c.tp).padStart(6)} ${String(c.fp).padStart(6)}`),
    `${vocMetricName(r)} = ${pct(r.mAP)}`,
  ];
  return lines.join('\n');
}

function formatCoco(r: CocoResult): string {
  const width = Math.max(5, ...r.classes.map((c) => c.className.length));
  const s = r.stats;
  const num = (v: number) => v.toFixed(3).padStart(6);
  return [
    'protocol: COCO (pycocotools bbox), IoU .50:.05:.95, continuous pixel IoU',
    `${'class'.padEnd(width)}  AP50-95     AP50     AP75`,
    ...r.classes.map((c) => `${c.className.padEnd(width)} ${pct(c.ap).padStart(8)} ${pct(c.ap50).padStart(8)} ${pct(c.ap75).padStart(8)}`),
    ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ${num(s.AP)}`,
    ` Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = ${num(s.AP50)}`,
    ` Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = ${num(s.AP75)}`,
    ` Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = ${num(s.APsmall)}`,
    ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = ${num(s.APmedium)}`,
    ` Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = ${num(s.APlarge)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = ${num(s.AR1)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = ${num(s.AR10)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ${num(s.AR100)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = ${num(s.ARsmall)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = ${num(s.ARmedium)}`,
    ` Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = ${num(s.ARlarge)}`,
    `mAP50-95 = ${pct(s.AP === -1 ? null : s.AP)}`,
  ].join('\n');
}

function vocJson(r: VocResult) {
  return {
    protocol: r.method === '11-point' ? 'voc07' : 'voc',
    metric: vocMetricName(r),
    iouThreshold: r.iouThreshold,
    method: r.method,
    pixelConvention: r.pixelConvention,
    mAP: r.mAP,
    classes: r.classes.map((c) => ({ className: c.className, ap: c.ap, numGroundTruth: c.numGroundTruth, tp: c.tp, fp: c.fp, ignored: c.ignored })),
    ignoredDetectionClasses: r.ignoredDetectionClasses,
  };
}

function cocoJson(r: CocoResult) {
  return { protocol: 'coco', metric: 'mAP50-95', mAP: r.stats.AP === -1 ? null : r.stats.AP, stats: r.stats, classes: r.classes, ignoredDetectionClasses: r.ignoredDetectionClasses };
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      console.log(usage);
      return 0;
    }
    args = parsed;
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof FormatError)) throw err;
    console.error(`detecta map: ${err.message}\n\nRun \`detecta map --help\` for the options.`);
    return 2;
  }
  try {
    const input = await loadEvaluationInput(args.gt, args.det, args.load);
    const { boxes } = input.gt;
    const { detections } = input.det;
    let out: unknown;
    let text: string;
    if (args.protocol === 'coco') {
      const r = evaluateCoco(boxes, detections, { imageOrder: input.gt.imageOrder });
      out = cocoJson(r);
      text = formatCoco(r);
    } else {
      const r = evaluateVoc(boxes, detections, {
        iouThreshold: args.iou,
        method: args.protocol === 'voc07' ? '11-point' : 'all-point',
        pixelConvention: args.convention ?? 'inclusive',
      });
      out = vocJson(r);
      text = formatVoc(r);
    }
    const ignored = (out as { ignoredDetectionClasses: Record<string, number> }).ignoredDetectionClasses;
    const warnings = [...input.warnings];
    if (Object.keys(ignored).length) {
      warnings.push(`detections of classes without ground truth were ignored: ${Object.entries(ignored).map(([c, n]) => `${c} (${n})`).join(', ')}`);
    }
    for (const w of warnings) console.error(`detecta map: warning: ${w}`);
    console.log(args.json ? JSON.stringify({ ...(out as object), warnings }, null, 2) : text);
    return 0;
  } catch (err) {
    if (!(err instanceof FormatError || err instanceof MetricsInputError || (err instanceof Error && err.name === 'VocParseError'))) throw err;
    console.error(`detecta map: ${err.message}`);
    return 1;
  }
}
