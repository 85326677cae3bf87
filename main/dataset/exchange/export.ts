/**
 * Exports a project's labeled images to another tool's layout (unlabeled images are left out;
 * images with an empty annotation file are exported as negatives; unreadable files are
 * skipped and reported). Class ids are the project's class-list indexes, so they never move.
 *
 *  yolo (Darknet / LabelImg YOLO):  obj.names, classes.txt, obj.data, train.txt, valid.txt,
 *                                   test.txt, images/<name>.jpg + images/<name>.txt
 *  ultralytics:                     data.yaml, images/{train,val,test}/<name>.jpg,
 *                                   labels/{train,val,test}/<name>.txt
 *  coco:                            images/<name>.jpg, annotations/instances_{split}.json
 *                                   (category id = class index + 1, bbox [x, y, w, h])
 *  createml:                        images/<name>.jpg, images/annotations.createml.json
 *  voc:                             JPEGImages/, Annotations/ (LabelImg XML),
 *                                   ImageSets/Main/{train,val,test}.txt
 *  labelme:                         images/<name>.jpg + images/<name>.json (LabelMe 5 rectangles;
 *                                   X-AnyLabeling reads them too)
 *  cvat:                            images/<name>.jpg, annotations.xml ("CVAT for images 1.1";
 *                                   the split is each image's subset)
 * Draft boxes (model suggestions nobody accepted) are not exported; each file with some is listed.
 * YOLO lines: `id cx cy w h`, normalised by the oriented image size (EXIF rule, see
 * shared/dataset/exif.ts). Difficult boxes are exported too (YOLO has no such flag).
 */
import { copyFile, constants, realpath, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../../shared/api/contract';
import { dirname, join } from 'node:path';
import type { DatasetIssue, ExchangeReport, ExportFormat, ImageEntry, Split } from '../../../shared/dataset/types';
import { labelMeJson, type ExportBox } from '../../../shared/dataset/labelme-format';
import { cvatXml } from '../../../shared/dataset/cvat-xml-format';
import { isDraftObject } from '../voc-boxes';
import { cornersToCoco, cornersToCreateMl, cornersToYolo, formatYoloLine } from '../../../shared/dataset/convert';
import { serializeVocXml, toIntegerBox, type VocAnnotation } from '../../../shared/voc';
import { writeFileAtomic } from '../atomic-write';
import { fsApiError } from '../fs-errors';
import { readImageInfo } from '../image-header';
import type { DatasetProject } from '../project';
import { exportNames, stemOf, yamlString } from './names';
import { errorMessage } from '../../../shared/error-message';
import { makeDirs } from '../make-dirs';

interface Item { entry: ImageEntry; ann: VocAnnotation; name: string; width: number; height: number }

async function copyImage(project: DatasetProject, id: string, dest: string): Promise<void> {
  const src = project.resolveImage(id);
  try {
    await makeDirs(join(dest, '..'));
    // atomic: a reader (or a crash) sees the old export's image or the new one, never half of one
    const tmp = join(dirname(dest), `.~${randomBytes(6).toString('hex')}.detecta.tmp`);
    try {
      await copyFile(src, tmp, constants.COPYFILE_FICLONE);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  } catch (err) {
    throw fsApiError(err, dest, 'cannot copy image to');
  }
}

async function collect(project: DatasetProject, skipped: DatasetIssue[]): Promise<Item[]> {
  const raw: { entry: ImageEntry; ann: VocAnnotation }[] = [];
  for await (const x of project.annotations()) {
    const drafts = x.ann.objects.filter(isDraftObject).length;
    if (drafts) skipped.push({ file: x.entry.annotation ?? x.entry.id, severity: 'warning', reason: `${drafts} draft box(es) (model suggestions not accepted) not exported` });
    raw.push(drafts ? { ...x, ann: { ...x.ann, objects: x.ann.objects.filter((o) => !isDraftObject(o)) } } : x);
  }
  for (const e of project.listImages({ filter: 'unreadable', limit: 5000 }).items) {
    skipped.push({ file: e.annotation ?? e.id, severity: 'error', reason: e.error ?? 'unreadable annotation file' });
  }
  const names = exportNames(raw.map((r) => r.entry.id));
  const items: Item[] = [];
  for (const r of raw) {
    let width = r.ann.size?.width;
    let height = r.ann.size?.height;
    if (!width || !height) {
      try {
        const info = await readImageInfo(project.resolveImage(r.entry.id));
        width = info.width;
        height = info.height;
      } catch (err) {
        skipped.push({ file: r.entry.id, severity: 'error', reason: `no <size> and the image cannot be read: ${errorMessage(err)}` });
        continue;
      }
    }
    items.push({ ...r, name: names.get(r.entry.id)!, width, height });
  }
  return items;
}

function yoloText(item: Item, classes: string[]): string {
  return item.ann.objects
    .map((o) => formatYoloLine(classes.indexOf(o.name), cornersToYolo(o.bndbox, item.width, item.height)))
    .join('\n') + (item.ann.objects.length ? '\n' : '');
}

/** An item's boxes in whole pixels inside the image (what LabelImg would save). */
function exportBoxes(item: Item): ExportBox[] {
  return item.ann.objects.map((o) => ({ label: o.name, ...toIntegerBox(o.bndbox, item.width, item.height), ...(o.difficult ? { difficult: true } : {}), ...(o.truncated ? { truncated: true } : {}) }));
}

export async function exportDataset(project: DatasetProject, format: ExportFormat, outDir: string, options: { copyImages?: boolean } = {}): Promise<ExchangeReport> {
  await project.flush();
  // Exporting writes nothing into the project itself: class ids are the current class list's
  // indexes (project.json's order, then classes found in files in index order).
  const skipped: DatasetIssue[] = [];
  const copyImages = options.copyImages !== false;
  const items = await collect(project, skipped);
  const classes = project.summary().classes;
  let realOut: string;
  try {
    await makeDirs(outDir);
    if (!(await stat(outDir)).isDirectory()) throw new Error('not a folder');
    realOut = await realpath(outDir);
  } catch (err) {
    throw fsApiError(err, outDir, 'cannot write to');
  }
  // Never into a folder that holds the project's own images or annotations (also through a link,
  // e.g. <project>/self → .): the export would overwrite the user's files without a backup.
  const own = new Set([project.root, ...project.listImages({ limit: Number.MAX_SAFE_INTEGER }).items.flatMap((e) => [
    dirname(project.resolveImage(e.id)),
    ...(e.annotation ? [dirname(join(project.root, ...e.annotation.split('/')))] : []),
  ])]);
  if (own.has(realOut)) throw new ApiError('bad_request', `refused: ${outDir} holds the project's own images or annotations; export into a separate folder`);
  let written = 0;
  const write = async (rel: string, text: string) => { await writeFileAtomic(join(outDir, rel), text, { fsync: false }); written++; };
  const copy = async (id: string, rel: string) => { if (copyImages) { await copyImage(project, id, join(outDir, rel)); written++; } };
  const bySplit = (s: Split) => items.filter((i) => i.entry.split === s);
  let boxes = 0;
  for (const i of items) boxes += i.ann.objects.length;

  switch (format) {
    case 'yolo': {
      const names = classes.join('\n') + '\n';
      await write('obj.names', names);
      await write('classes.txt', names);
      for (const i of items) {
        await copy(i.entry.id, `images/${i.name}`);
        await write(`images/${stemOf(i.name)}.txt`, yoloText(i, classes));
      }
      const list = (s: Split) => bySplit(s).map((i) => `images/${i.name}\n`).join('');
      await write('train.txt', list('train'));
      await write('valid.txt', list('val'));
      await write('test.txt', list('test'));
      await write('obj.data', `classes = ${classes.length}\ntrain = train.txt\nvalid = valid.txt\nnames = obj.names\nbackup = backup/\n`);
      break;
    }
    case 'ultralytics': {
      const used: Split[] = [];
      for (const s of ['train', 'val', 'test'] as const) {
        const list = bySplit(s);
        if (!list.length) continue;
        used.push(s);
        for (const i of list) {
          await copy(i.entry.id, `images/${s}/${i.name}`);
          await write(`labels/${s}/${stemOf(i.name)}.txt`, yoloText(i, classes));
        }
      }
      const yaml = [
        '# Ultralytics YOLO dataset exported by Detecta Studio',
        `path: ${yamlString(outDir)}`,
        ...used.map((s) => `${s}: images/${s}`),
        ...(used.includes('val') ? [] : used.includes('train') ? ['val: images/train  # no val split in the project'] : []),
        `nc: ${classes.length}`,
        'names:',
        ...classes.map((c, i) => `  ${i}: ${yamlString(c)}`),
        '',
      ].join('\n');
      await write('data.yaml', yaml);
      break;
    }
    case 'coco': {
      const categories = classes.map((name, i) => ({ id: i + 1, name, supercategory: 'none' }));
      for (const s of ['train', 'val', 'test'] as const) {
        const list = bySplit(s);
        if (!list.length) continue;
        const images: unknown[] = [];
        const annotations: unknown[] = [];
        let annId = 1;
        list.forEach((i, n) => {
          images.push({ id: n + 1, file_name: i.name, width: i.width, height: i.height });
          for (const o of i.ann.objects) {
            const bbox = cornersToCoco(toIntegerBox(o.bndbox, i.width, i.height));
            annotations.push({ id: annId++, image_id: n + 1, category_id: classes.indexOf(o.name) + 1, bbox, area: bbox[2] * bbox[3], iscrowd: 0, ...(o.difficult ? { difficult: 1 } : {}) });
          }
        });
        for (const i of list) await copy(i.entry.id, `images/${i.name}`);
        await write(`annotations/instances_${s}.json`, JSON.stringify({ info: { description: `${project.summary().name} (${s})`, version: '1.0' }, images, annotations, categories }) + '\n');
      }
      break;
    }
    case 'createml': {
      const json = items.map((i) => ({
        image: i.name,
        annotations: i.ann.objects.map((o) => ({ label: o.name, coordinates: cornersToCreateMl(toIntegerBox(o.bndbox, i.width, i.height)) })),
      }));
      for (const i of items) await copy(i.entry.id, `images/${i.name}`);
      await write('images/annotations.createml.json', JSON.stringify(json, null, 2) + '\n');
      break;
    }
    case 'voc': {
      for (const i of items) {
        await copy(i.entry.id, `JPEGImages/${i.name}`);
        const ann: VocAnnotation = { ...i.ann, folder: 'JPEGImages', filename: i.name, size: { width: i.width, height: i.height, depth: i.ann.size?.depth ?? 3 } };
        delete ann.path;
        await write(`Annotations/${stemOf(i.name)}.xml`, serializeVocXml(ann));
      }
      for (const s of ['train', 'val', 'test'] as const) await write(`ImageSets/Main/${s}.txt`, bySplit(s).map((i) => `${stemOf(i.name)}\n`).join(''));
      break;
    }
    case 'labelme': {
      for (const i of items) {
        await copy(i.entry.id, `images/${i.name}`);
        await write(`images/${stemOf(i.name)}.json`, labelMeJson(i.name, i.width, i.height, exportBoxes(i)));
      }
      break;
    }
    case 'cvat': {
      for (const i of items) await copy(i.entry.id, `images/${i.name}`);
      await write('annotations.xml', cvatXml(project.summary().name, classes, items.map((i) => ({ name: i.name, width: i.width, height: i.height, split: i.entry.split, boxes: exportBoxes(i) }))));
      break;
    }
  }
  return { format, dir: outDir, images: items.length, boxes, classes, skipped, written };
}
