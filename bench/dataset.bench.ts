/**
 * Benchmark of the dataset core, on data generated in a temp folder (deleted afterwards):
 *  - index 100,000 image files (flat folder, no annotations): time until openDatasetProject
 *    resolves and the first page of listImages is ready, and until the index is complete
 *  - 10,000 images with 10,000 LabelImg VOC files: parseVocXml on the 10,000 strings in memory,
 *    and open → ready (read + parse every file from disk)
 *  - saveAnnotation of one file (an edit each time, so it really writes; atomic + fsync)
 *  - image header read (size + EXIF orientation) vs sharp.metadata(), per file
 * Writes bench/results/dataset.json and prints a summary. Run: node --import tsx bench/dataset.bench.ts
 * (Tests never assert timings; these figures go in the issue note.)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { openDatasetProject } from '../main/dataset/project';
import { readImageInfo } from '../main/dataset/image-header';
import { parseVocXml } from '../shared/voc';

const INDEX_IMAGES = 100_000;
const VOC_FILES = 10_000;
const SAVES = 200;
const raccoon = fileURLToPath(new URL('../../shared/datasets/detection-voc/raccoon/', import.meta.url));
const ms = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

const work = mkdtempSync(join(tmpdir(), 'detecta-bench-'));
const results: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, date: new Date().toISOString() };
try {
  // ---- 100k image files
  const big = join(work, 'big');
  mkdirSync(big);
  const jpg = readFileSync(join(raccoon, 'images/raccoon-1.jpg')).subarray(0, 2048); // headers only; the index never decodes
  let t0 = performance.now();
  for (let i = 0; i < INDEX_IMAGES; i++) writeFileSync(join(big, `img_${i}.jpg`), jpg);
  results.generate100kMs = ms(t0);
  t0 = performance.now();
  const p = await openDatasetProject(big, { watch: false });
  const firstPage = p.listImages({ offset: 0, limit: 200 });
  const firstPageMs = ms(t0);
  await p.ready();
  const fullIndexMs = ms(t0);
  if (firstPage.total !== INDEX_IMAGES || firstPage.items[1]!.id !== 'img_1.jpg' || firstPage.items[2]!.id !== 'img_2.jpg') throw new Error('unexpected index');
  await p.close();
  results.index100k = { images: INDEX_IMAGES, firstPageMs, fullIndexMs };

  // ---- 10k VOC files
  const voc = join(work, 'voc');
  mkdirSync(join(voc, 'images'), { recursive: true });
  mkdirSync(join(voc, 'annotations'));
  const xmlNames = readdirSync(join(raccoon, 'annotations'));
  const texts: string[] = [];
  for (let i = 0; i < VOC_FILES; i++) {
    const x = readFileSync(join(raccoon, 'annotations', xmlNames[i % xmlNames.length]!), 'utf8').replace(/<filename>[^<]*</, `<filename>r_${i}.jpg<`);
    texts.push(x);
    writeFileSync(join(voc, 'annotations', `r_${i}.xml`), x);
    writeFileSync(join(voc, 'images', `r_${i}.jpg`), jpg);
  }
  const parseRuns: number[] = [];
  for (let r = 0; r < 3; r++) {
    t0 = performance.now();
    for (const x of texts) parseVocXml(x);
    parseRuns.push(ms(t0));
  }
  t0 = performance.now();
  const q = await openDatasetProject(voc, { watch: false });
  const vocFirstPageMs = ms(t0);
  await q.ready();
  const vocReadyMs = ms(t0);
  if (q.summary().labeled !== VOC_FILES) throw new Error(`parsed ${q.summary().labeled} of ${VOC_FILES}`);
  results.parse10k = { files: VOC_FILES, inMemoryMedianMs: median(parseRuns), inMemoryRunsMs: parseRuns, openFirstPageMs: vocFirstPageMs, openAndParseFromDiskMs: vocReadyMs };

  // ---- save one file
  const id = 'images/r_5.jpg';
  await q.getAnnotation(id); // warm the image-size cache
  await q.saveAnnotation(id, { boxes: [{ label: 'raccoon', xmin: 1, ymin: 1, xmax: 10, ymax: 10, difficult: false, truncated: false }], verified: false }); // first save also writes the backup and project.json
  const saves: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    t0 = performance.now();
    await q.saveAnnotation(id, { boxes: [{ label: 'raccoon', xmin: 1, ymin: 1, xmax: 20 + (i % 50), ymax: 30, difficult: false, truncated: false }], verified: false });
    saves.push(ms(t0));
  }
  await q.close();
  results.saveOne = { saves: SAVES, medianMs: median(saves), p95Ms: [...saves].sort((a, b) => a - b)[Math.floor(SAVES * 0.95)], maxMs: Math.max(...saves) };

  // ---- header read vs sharp
  const imgs = readdirSync(join(raccoon, 'images')).map((f) => join(raccoon, 'images', f));
  await readImageInfo(imgs[0]!);
  t0 = performance.now();
  for (const f of imgs) await readImageInfo(f);
  const headerMs = ms(t0) / imgs.length;
  t0 = performance.now();
  for (const f of imgs) await sharp(f).metadata();
  const sharpMs = ms(t0) / imgs.length;
  results.imageHeader = { files: imgs.length, headerReaderMsPerFile: Math.round(headerMs * 1000) / 1000, sharpMetadataMsPerFile: Math.round(sharpMs * 1000) / 1000 };
} finally {
  rmSync(work, { recursive: true, force: true });
}

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'dataset.json'), JSON.stringify(results, null, 2) + '\n');
const r = results as { index100k: { firstPageMs: number; fullIndexMs: number }; parse10k: { inMemoryMedianMs: number; openAndParseFromDiskMs: number }; saveOne: { medianMs: number; p95Ms: number }; imageHeader: { headerReaderMsPerFile: number; sharpMetadataMsPerFile: number } };
console.log(`index 100k images: first page ${r.index100k.firstPageMs} ms, full ${r.index100k.fullIndexMs} ms (target < 1000 / < 10000)`);
console.log(`parse 10k VOC: ${r.parse10k.inMemoryMedianMs} ms in memory, ${r.parse10k.openAndParseFromDiskMs} ms open+read+parse from disk (target < 2000)`);
console.log(`save one file: median ${r.saveOne.medianMs} ms, p95 ${r.saveOne.p95Ms} ms (target < 20)`);
console.log(`image header: ${r.imageHeader.headerReaderMsPerFile} ms/file (sharp.metadata ${r.imageHeader.sharpMetadataMsPerFile} ms/file)`);
