/**
 * `detecta dataset`: statistics, validation and format conversion of a project folder, headless.
 *
 *   detecta dataset stats    --project DIR [--recursive] [--json]
 *   detecta dataset validate --project DIR [--recursive] [--json]     exit 1 when issues exist
 *   detecta dataset convert  --project DIR --to yolo|ultralytics|coco|createml|voc|labelme|cvat
 *                            --out DIR [--no-images] [--json]
 *   detecta dataset convert  --project DIR --from yolo|ultralytics|coco|createml|voc|labelme|cvat|
 *                            labelstudio|openimages --in DIR_OR_FILE [--json]   import into the project
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


const HELP = `usage: detecta dataset <stats|validate|convert> --project DIR [options]

  stats     images, labeled, verified, unreadable, boxes per class
  validate  unreadable or suspicious files with reasons (exit code 1 if any)
  convert   --to FORMAT --out DIR      export (FORMAT: ${EXPORT_FORMATS.join('|')})
            --from FORMAT --in PATH    import another tool's dataset into the project
                                       (FORMAT: ${IMPORT_FORMATS.join('|')})
                                       PATH: its folder, or the COCO / CVAT / Label Studio file.
                                       Labels that came without their images are matched to the
                                       project's images by file name; nothing existing is
                                       overwritten; every skipped item is listed with its reason

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
  if (!['stats', 'validate', 'convert'].includes(sub)) return bad(`unknown sub-command "${sub}"`);
  if (extra.length) return bad(`unexpected argument "${extra[0]}"`);
  if (!v.project) return bad('--project DIR is required');
  if (sub === 'convert') {
    if (!!v.to === !!v.from) return bad('convert needs exactly one of --to FORMAT or --from FORMAT');
    if (v.to && !isIn(EXPORT_FORMATS, v.to)) return bad(`cannot export to "${v.to}" (${EXPORT_FORMATS.join(', ')})`);
    if (v.from && !isIn(IMPORT_FORMATS, v.from)) return bad(`cannot import from "${v.from}" (${IMPORT_FORMATS.join(', ')})`);
    if (v.to && !v.out) return bad('--to needs --out DIR');
    if (v.from && !v.in) return bad('--from needs --in PATH');
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
