/**
 * `detecta dataset`: statistics, validation and format conversion of a project folder, headless.
 *
 *   detecta dataset stats    --project DIR [--recursive] [--json]
 *   detecta dataset review   --project DIR [--model RUN] [--top N] [--json FILE]   (dataset-review.ts)
 *   detecta dataset validate --project DIR [--recursive] [--json]     exit 1 when issues exist
 *   detecta dataset convert  --project DIR --to yolo|ultralytics|coco|createml|voc|labelme|cvat
 *                            --out DIR [--no-images] [--json]
 *   detecta dataset convert  --project DIR --from yolo|ultralytics|coco|createml|voc|labelme|cvat|
 *                            labelstudio|openimages --in DIR_OR_FILE [--json]   import into the project
 *   detecta dataset add-video --project DIR --video FILE [--every N | --fps F] [--start S] [--end S]
 *                            [--min-change X] [--json]   video frames into the project (needs ffmpeg)
 * An import whose labels came without their images matches them to the project's own images by
 * file name (COCO, YOLO / CVAT YOLO 1.1, CVAT XML, Label Studio, Open Images...).
 * Exit codes: 0 done, 1 problems found or the operation failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ApiError } from '../../../shared/api/contract';
import { EXPORT_FORMATS, IMPORT_FORMATS, type ExchangeFormat, type ExchangeReport, type ExportFormat } from '../../../shared/dataset/types';
import { openDatasetProject, type DatasetProject } from '../../dataset/project';
import { exportDataset, importDataset } from '../../dataset/exchange';
import { errorMessage } from '../../../shared/error-message';
import { framePickProblem, type FramePick } from '../../../shared/dataset/video-frames';
import { addVideoFrames } from '../../dataset/video-frames';
import { numberOption } from '../options';
import { runReview } from './dataset-review';


const HELP = `usage: detecta dataset <stats|validate|convert|add-video> --project DIR [options]

  stats     images, labeled, verified, unreadable, boxes per class
  validate  unreadable or suspicious files with reasons (exit code 1 if any)
  review    the likely label errors, found with a model (detecta dataset review --help)
  convert   --to FORMAT --out DIR      export (FORMAT: ${EXPORT_FORMATS.join('|')})
            --from FORMAT --in PATH    import another tool's dataset into the project
                                       (FORMAT: ${IMPORT_FORMATS.join('|')})
                                       PATH: its folder, or the COCO / CVAT / Label Studio file.
                                       Labels that came without their images are matched to the
                                       project's images by file name; nothing existing is
                                       overwritten; every skipped item is listed with its reason
  add-video --video FILE               frames of a video become JPEG images of the project
                                       (<stem>_<frame>.jpg in images/, or <stem>/ with
                                       --recursive); each frame's video and time are kept in
                                       .detecta/videos/<stem>.json; nothing existing is
                                       overwritten. Needs ffmpeg (PATH or DETECTA_FFMPEG)
            --every N                  every N-th frame (default: every frame)
            --fps F                    F frames per second of video instead
            --start S --end S          only this time range (seconds)
            --min-change X             only frames whose grey levels differ from the last one
                                       kept by at least X on average (0-1, e.g. 0.05)

options:
  --project DIR   the project folder (required)
  --recursive     index sub-folders too
  --no-images     convert --to: write labels only, do not copy images
  --json          machine-readable output
  -h, --help      this help`;

function bad(msg: string): number {
  console.error(`detecta dataset: ${msg}\n\n${HELP}`);
  return 2;
}

function isIn<T extends string>(list: readonly T[], s: string | undefined): s is T {
  return s !== undefined && (list as readonly string[]).includes(s);
}

function printReport(r: ExchangeReport, verb: string): void {
  const matched = r.matched ? ` (${r.matched} matched to the project's images by file name)` : '';
  console.log(`${verb} ${r.images} images${matched}, ${r.boxes} boxes, ${r.classes.length} classes (${r.format}) — ${r.dir}`);
  for (const s of r.skipped) console.log(`  ${s.severity}: ${s.file}: ${s.reason}`);
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'review') return runReview(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        recursive: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        to: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        in: { type: 'string' },
        'no-images': { type: 'boolean', default: false },
        video: { type: 'string' },
        every: { type: 'string' },
        fps: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'min-change': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return bad(errorMessage(err));
  }
  const { values: v, positionals } = parsed;
  if (v.help) { console.log(HELP); return 0; }
  const [sub, ...extra] = positionals;
  if (!sub) return bad('missing sub-command');
  if (!['stats', 'validate', 'convert', 'add-video'].includes(sub)) return bad(`unknown sub-command "${sub}"`);
  if (extra.length) return bad(`unexpected argument "${extra[0]}"`);
  if (!v.project) return bad('--project DIR is required');
  if (sub === 'convert') {
    if (!!v.to === !!v.from) return bad('convert needs exactly one of --to FORMAT or --from FORMAT');
    if (v.to && !isIn(EXPORT_FORMATS, v.to)) return bad(`cannot export to "${v.to}" (${EXPORT_FORMATS.join(', ')})`);
    if (v.from && !isIn(IMPORT_FORMATS, v.from)) return bad(`cannot import from "${v.from}" (${IMPORT_FORMATS.join(', ')})`);
    if (v.to && !v.out) return bad('--to needs --out DIR');
    if (v.from && !v.in) return bad('--from needs --in PATH');
  }
  let pick: FramePick = {};
  if (sub === 'add-video') {
    if (!v.video) return bad('add-video needs --video FILE');
    try {
      const opt = (name: 'every' | 'fps' | 'start' | 'end' | 'min-change'): number | undefined => numberOption(v[name], name);
      const raw = { every: opt('every'), fps: opt('fps'), start: opt('start'), end: opt('end'), minChange: opt('min-change') };
      pick = Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)) as FramePick;
    } catch (err) {
      return bad(errorMessage(err));
    }
    const problem = framePickProblem(pick);
    if (problem) return bad(problem);
  }

  let project: DatasetProject | undefined;
  try {
    project = await openDatasetProject(v.project, { recursive: v.recursive || undefined, watch: false });
    await project.ready();
    if (sub === 'stats') {
      const s = await project.stats();
      if (v.json) {
        console.log(JSON.stringify(s, null, 2));
      } else {
        const m = s.summary;
        console.log(`${m.root}`);
        console.log(`images ${m.images}, labeled ${m.labeled} (${m.empty} with no boxes), unlabeled ${m.unlabeled}, verified ${m.verified}, unreadable ${m.unreadable}`);
        console.log(`boxes ${s.boxes}; split train ${m.splits.train} / val ${m.splits.val} / test ${m.splits.test}`);
        for (const c of s.classes) console.log(`  ${c.id >= 0 ? String(c.id).padStart(3) : '  ?'}  ${c.name}: ${c.boxes} boxes in ${c.images} images${c.difficult ? `, ${c.difficult} difficult` : ''}`);
      }
      return 0;
    }
    if (sub === 'validate') {
      const issues = await project.validate();
      if (v.json) console.log(JSON.stringify({ root: project.root, ok: issues.length === 0, issues }, null, 2));
      else if (!issues.length) console.log(`${project.root}: no problems found`);
      else for (const i of issues) console.log(`${i.severity}: ${i.file}: ${i.reason}`);
      return issues.length ? 1 : 0;
    }
    if (sub === 'add-video') {
      const r = await addVideoFrames(project, v.video!, pick);
      if (v.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${r.written} frame(s) of ${r.video} written to ${r.dir || '.'}/ (${r.picked} picked${r.existing ? `, ${r.existing} already there` : ''}); ${r.frames.length} frame(s) of this video in the project`);
        for (const s of r.skipped) console.log(`  ${s.severity}: ${s.file}: ${s.reason}`);
      }
      return 0;
    }
    const report = v.to
      ? await exportDataset(project, v.to as ExportFormat, resolve(v.out!), { copyImages: !v['no-images'] })
      : await importDataset(project, v.from as ExchangeFormat, resolve(v.in!));
    if (v.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report, v.to ? 'exported' : 'imported');
    return report.skipped.some((s) => s.severity === 'error') ? 1 : 0;
  } catch (err) {
    const msg = errorMessage(err);
    if (v.json) console.log(JSON.stringify({ error: err instanceof ApiError ? err.toJSON() : { code: 'internal', message: msg } }));
    console.error(`detecta dataset: ${msg}`);
    return 1;
  } finally {
    await project?.close();
  }
}
