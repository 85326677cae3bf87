/**
 * `detecta predict --model DIR --source IMAGE|FOLDER|VIDEO --out DIR [--conf 0.25] [--iou 0.45]
 * [--tile [SIZE]] [--tile-overlap 0.2] [--backend auto|...] [--json]`: runs a trained detector on files. Each image gives
 * NAME_detected.EXT (boxes drawn) in --out, and --out/detections.json (+ .csv) lists every image's
 * detections (pixels of the original image). A video (through a system ffmpeg) gives
 * NAME_detected.mp4 and NAME_detections.json (+ .csv) with the detections of every frame. Both are
 * the one detections file format of shared/results/detections-file.ts, also written by the Detect view.
 * --tile detects SAHI-style: overlapping tiles of SIZE pixels (default: the model's input size) plus
 * the whole image, merged (shared/ml/detector/tiles.ts), for small objects in large photos.
 */
import { parseArgs } from 'node:util';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../dataset/atomic-write';
import { photoNames } from '../../dataset/folder-scan';
import { RESULT_SUFFIX } from '../../../shared/dataset/result-files';
import { selectBackend } from '../../training/backend';
import { detectFile, detectVideo, drawDetections, loadDetectorFolder, VIDEO_EXTENSIONS } from '../../training/predict-files';
import { findVideoTool } from '../../media/ffmpeg';
import { detectionsFileCsv, detectionsFileJson, type DetectionsFile, type ImageResult } from '../../../shared/results/detections-file';
import { backendChoiceSchema, type BackendChoice } from '../../../shared/training/types';
import { makeDirs } from '../../dataset/make-dirs';
import { DEFAULT_TILE_OVERLAP } from '../../../shared/ml/detector/tiles';
import { parseTileArgs, TILE_ARG_OPTIONS, TILE_ARG_USAGE, tileOptionsFor, withTileValue, type TileRequest } from '../tile-args';


const USAGE = `usage: detecta predict --model DIR --source IMAGE|FOLDER|VIDEO --out DIR [--conf 0.25] [--iou 0.45]
                       [--tile [SIZE]] [--tile-overlap ${DEFAULT_TILE_OVERLAP}]
                       [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu] [--json]

--model is a weights folder (RUN/weights/best) or a run folder (its weights/best is used).
Images: writes NAME_detected.EXT with the boxes drawn and detections.json + detections.csv into --out.
Videos (${VIDEO_EXTENSIONS.join(' ')}): need ffmpeg (on PATH, or DETECTA_FFMPEG); writes
NAME_detected.mp4 and NAME_detections.json + .csv (detections per frame).
${TILE_ARG_USAGE}
--json prints one JSON object per image (or video) on stdout instead of the text lines.`;

function threshold(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be a number in [0, 1], got "${v}"`);
  return n;
}

const isVideo = (f: string): boolean => VIDEO_EXTENSIONS.includes(path.extname(f).toLowerCase());

export async function run(argv: string[]): Promise<number> {
  let values;
  let conf: number;
  let iou: number;
  let backend: BackendChoice = 'auto';
  let tileRequest: TileRequest | null;
  try {
    ({ values } = parseArgs({
      args: withTileValue(argv),
      options: {
        model: { type: 'string' }, source: { type: 'string' }, out: { type: 'string' }, conf: { type: 'string' }, iou: { type: 'string' },
        ...TILE_ARG_OPTIONS,
        backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) { console.log(USAGE); return 0; }
    if (!values.model || !values.source || !values.out) throw new Error('--model, --source and --out are required');
    conf = threshold(values.conf, 'conf', 0.25);
    iou = threshold(values.iou, 'iou', 0.45);
    tileRequest = parseTileArgs(values);
    if (values.backend !== undefined) {
      const b = backendChoiceSchema.safeParse(values.backend);
      if (!b.success) throw new Error(`--backend must be one of ${backendChoiceSchema.options.join(', ')}`);
      backend = b.data;
    }
  } catch (err) {
    console.error(`detecta predict: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const out = path.resolve(values.out);
  const json = values.json === true;
  try {
    const stat = await fs.stat(values.source).catch((err: NodeJS.ErrnoException) => {
      throw new Error(err.code === 'ENOENT' ? `--source ${values.source} does not exist` : `cannot read ${values.source}: ${err.message}`);
    });
    const sources = stat.isDirectory()
      ? await fs.readdir(values.source).then((names) => [...photoNames(names), ...names.filter(isVideo)].sort().map((n) => path.join(values.source!, n)))
      : [values.source];
    if (sources.length === 0) throw new Error(`${values.source} holds no images or videos`);
    const ffmpeg = sources.some(isVideo) ? findVideoTool('ffmpeg') : null;
    if (sources.some(isVideo) && !ffmpeg) {
      throw new Error(`${sources.filter(isVideo).length} video(s) to read but no ffmpeg was found (install ffmpeg and put it on PATH, or set DETECTA_FFMPEG to its path)`);
    }
    await selectBackend(backend);
    const det = await loadDetectorFolder(values.model);
    await makeDirs(out);
    const tile = tileOptionsFor(tileRequest, det.config.inputSize);
    if (tile && !json) console.log(`tiled detection: tiles of ${tile.tileSize} px overlapping by ${tile.overlap}, plus the whole image`);
    const options = { confidence: conf, iou, tile };
    const images: ImageResult[] = [];
    const header = { format: 'detecta-detections', version: 1, task: 'detect', model: det.dir, classes: det.classes, confidence: conf, iou } as const;
    const writeResults = async (base: string, file: DetectionsFile): Promise<void> => {
      await writeFileAtomic(`${base}.json`, detectionsFileJson(file));
      await writeFileAtomic(`${base}.csv`, detectionsFileCsv(file));
    };
    let failures = 0;
    for (const file of sources) {
      const stem = path.basename(file, path.extname(file));
      try {
        if (isVideo(file)) {
          const r = await detectVideo(det, ffmpeg!, file, path.join(out, `${stem}${RESULT_SUFFIX.detect}.mp4`), options);
          const perFrame = path.join(out, `${stem}_detections.json`);
          await writeResults(path.join(out, `${stem}_detections`), { ...header, kind: 'video', source: path.resolve(file), output: r.output, fps: r.fps, width: r.width, height: r.height, frameCount: r.frames.length, frames: r.frames });
          const total = r.frames.reduce((n, f) => n + (f.detections?.length ?? 0), 0);
          if (json) console.log(JSON.stringify({ type: 'video', source: path.resolve(file), output: r.output, detectionsFile: perFrame, frames: r.frames.length, fps: r.fps, detections: total }));
          else console.log(`${file}: ${r.frames.length} frames, ${total} detections → ${r.output}`);
        } else {
          const r = await detectFile(det, file, options);
          const output = await drawDetections(file, path.join(out, `${stem}${RESULT_SUFFIX.detect}${path.extname(file)}`), r, r.detections);
          images.push({ image: path.resolve(file), output, ...r });
          if (json) console.log(JSON.stringify({ type: 'image', source: path.resolve(file), output, width: r.width, height: r.height, detections: r.detections }));
          else console.log(`${file}: ${r.detections.length ? r.detections.map((d) => `${d.label} ${d.score.toFixed(2)}`).join(', ') : 'nothing found'} → ${output}`);
        }
      } catch (err) {
        failures++;
        console.error(`detecta predict: ${file}: ${(err as Error).message}`);
      }
    }
    if (images.length > 0) {
      await writeResults(path.join(out, 'detections'), { ...header, kind: 'images', images });
    }
    det.model.dispose();
    if (!json) console.log(`${sources.length - failures} of ${sources.length} file(s) done; results in ${out}`);
    return failures > 0 ? 1 : 0;
  } catch (err) {
    console.error(`detecta predict: ${(err as Error).message}`);
    return 1;
  }
}
