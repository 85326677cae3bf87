/**
 * Detect view, webcam: Chromium's fake camera plays a clip of ../shared/datasets/video (a person
 * walking in); with NanoDet on the wasm backend the view shows live boxes, a running FPS and
 * frame counter, and a tensor count that stays flat over many frames (no leak in the loop); a
 * snapshot added to the project lands next to its images with the boxes as <draft> objects.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import config from '../../playwright.config';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { type E2eHost, repoRoot, type ServedApp, sharedDatasets, startE2eHost } from '../helpers/serve';
import { ffmpeg, openDetectPage, sharedModels, shotPath } from '../helpers/detect-fixtures';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

const camDir = join(tmpdir(), 'detecta-fake-camera');
const camFile = join(camDir, 'person.y4m');
if (!existsSync(camFile)) {
  mkdirSync(camDir, { recursive: true });
  ffmpeg(['-ss', '8', '-i', join(sharedDatasets, 'video/intel-sample-videos/one-by-one-person-detection.mp4'), '-t', '3', '-r', '10', '-vf', 'scale=640:360', '-pix_fmt', 'yuv420p', camFile]);
}

test.use({
  launchOptions: {
    ...config.use?.launchOptions,
    args: [...(config.use?.launchOptions?.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${camFile}`],
  },
});

let host: E2eHost;
let app: ServedApp;
let zoo: ServedFolder;
let project: string;
let page: Page;

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-detect-cam-', async (w) => {
    project = join(w, 'cam');
    await writeSampleProject(project, { images: 3, seed: 5, width: 96, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.5 });
    zoo = await serveFolder(sharedModels);
    return { DETECTA_MODEL_MIRROR: zoo.url };
  });
  app = host.app;
  page = await openDetectPage(browser, app.url, project);
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
  await zoo?.close();
});

const num = async (p: Page, id: string): Promise<number> => Number((await p.getByTestId(id).textContent())?.match(/\d+/)?.[0] ?? NaN);

function findFiles(dir: string, re: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === '.detecta' ? [] : findFiles(join(dir, e.name), re)) : re.test(e.name) ? [join(dir, e.name)] : []));
}

test('live boxes, FPS, flat tensor count, snapshot with draft boxes in the project', async () => {
  test.setTimeout(300_000);
  await page.getByLabel('Backend').selectOption('wasm');
  await expect(page.getByLabel('Backend')).toHaveValue('wasm');
  await page.getByLabel('Model', { exact: true }).selectOption('zoo:nanodet-m-416-coco');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('NanoDet', { timeout: 90_000 });
  await expect(page.getByTestId('backend-in-use')).toHaveText(/WebAssembly/);
  await page.getByRole('tab', { name: /Webcam/ }).click();
  await page.getByLabel('Resolution').selectOption('640x480');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByLabel('Camera').locator('option')).not.toHaveCount(1); // the fake device is listed
  // live: frames keep coming, the FPS counter runs, boxes appear
  await expect.poll(() => num(page, 'frames'), { timeout: 90_000 }).toBeGreaterThan(10);
  await expect.poll(() => num(page, 'fps'), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(async () => Number(await page.getByTestId('webcam-overlay').getAttribute('data-detections')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: shotPath(repoRoot, 'webcam-live') });
  // memory: the tensor count after many more frames equals the count after warm-up
  const f0 = await num(page, 'frames');
  const t0 = await num(page, 'tensors');
  await expect.poll(() => num(page, 'frames'), { timeout: 180_000 }).toBeGreaterThan(f0 + 60);
  await expect.poll(() => num(page, 'tensors'), { timeout: 10_000 }).toBe(t0);

  // pause stops the counter: the camera goes on delivering frames (counted by a second video on
  // the same stream), the detection loop sees none of them
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => page.getByTestId('webcam-video').evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
  const paused = await num(page, 'frames');
  await page.getByTestId('webcam-video').evaluate((v: HTMLVideoElement, n: number) => new Promise<void>((resolve) => {
    const probe = document.createElement('video');
    probe.muted = true;
    probe.style.cssText = 'position:fixed;width:2px;height:2px;opacity:0';
    probe.srcObject = v.srcObject;
    document.body.append(probe);
    let seen = 0;
    const tick = (): void => {
      if (++seen < n) { probe.requestVideoFrameCallback(tick); return; }
      probe.remove();
      resolve();
    };
    probe.requestVideoFrameCallback(tick);
    void probe.play();
  }), 30);
  expect(await num(page, 'frames')).toBeLessThanOrEqual(paused + 1);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => num(page, 'frames'), { timeout: 30_000 }).toBeGreaterThan(paused + 2);

  await page.getByRole('button', { name: 'Snapshot' }).click();
  await expect(page.getByTestId('snapshot')).toContainText(/[1-9]\d* box/, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Add to project' }).click();
  await expect.poll(() => findFiles(project, /^snapshot-.*\.xml$/).length, { timeout: 20_000 }).toBe(1);
  await page.screenshot({ path: shotPath(repoRoot, 'webcam-snapshot') });
  const xmlFile = findFiles(project, /^snapshot-.*\.xml$/)[0]!;
  expect(findFiles(project, /^snapshot-.*\.jpg$/).length).toBe(1);
  const ann = new XMLParser({ isArray: (n) => n === 'object' }).parse(readFileSync(xmlFile, 'utf8')).annotation;
  expect(ann.size.width).toBe(640);
  const objects = ann.object as { name: string; draft: number; bndbox: Record<string, number> }[];
  expect(objects.length).toBeGreaterThan(0);
  expect(objects.every((o) => Number(o.draft) === 1)).toBe(true);
  expect(objects.some((o) => o.name === 'person')).toBe(true);
  // the header counts the new image at once (no reopening), and the model's "person" stays on its
  // drafts without joining the project's classes until a person accepts one
  await expect(page.getByTestId('project-chip')).toContainText('4 / 4 labeled · 1 class');
});
