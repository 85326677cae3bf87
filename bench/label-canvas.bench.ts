/**
 * Label canvas frame times (reported, never asserted): a 4000×3000 photo with 500 boxes in the
 * Label view of the built app (web host, Debian's Chromium with playwright.config.ts's flags);
 * requestAnimationFrame intervals while one box is dragged (60 mouse moves at ~60 Hz) and while
 * the view pans. The functional checks (all 500 boxes shown, the drag saved to the XML) make a
 * broken run fail instead of reporting numbers for nothing.
 * Writes bench/results/label-canvas.json. Run: npm run build && node --import tsx bench/label-canvas.bench.ts
 * (moved from tests/e2e/label-perf.test.ts: a benchmark, not a test).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, expect } from '@playwright/test';
import config from '../playwright.config';
import { repoRoot, startE2eHost } from '../tests/helpers/serve';

function vocWith500Boxes(): string {
  const objects: string[] = [];
  for (let i = 0; i < 500; i++) {
    const col = i % 25;
    const row = Math.floor(i / 25);
    const x = 20 + col * 158;
    const y = 20 + row * 148;
    objects.push(`<object><name>${['brick', 'ball', 'cone'][i % 3]}</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>${x}</xmin><ymin>${y}</ymin><xmax>${x + 120}</xmax><ymax>${y + 110}</ymax></bndbox></object>`);
  }
  return `<annotation><folder>perf</folder><filename>big.jpg</filename><size><width>4000</width><height>3000</height><depth>3</depth></size><segmented>0</segmented>${objects.join('')}</annotation>`;
}

interface FrameStats { frames: number; meanMs: number; p50Ms: number; p95Ms: number; maxMs: number; over33ms: number }

async function main(): Promise<void> {
  const host = await startE2eHost('detecta-label-bench-');
  const { work, app } = host;
  const browser = await chromium.launch({ executablePath: config.use?.launchOptions?.executablePath ?? '/usr/bin/chromium', args: config.use?.launchOptions?.args ?? [] });
  try {
    const page = await browser.newPage({ viewport: config.use?.viewport ?? { width: 1400, height: 860 } });
    const project = join(work, 'perf');
    mkdirSync(project, { recursive: true });
    page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    page.on('pageerror', (e) => console.error(`page: ${e.message}`));
    // tsx keeps function names with an __name helper that page.evaluate'd functions then call
    await page.addInitScript('window.__name = (f) => f;');
    await page.goto(app.url);
    // a 4000×3000 JPEG drawn by the browser (noise + gradients, like a photo for the decoder)
    const b64 = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 4000;
      c.height = 3000;
      const g = c.getContext('2d')!;
      const grad = g.createLinearGradient(0, 0, 4000, 3000);
      grad.addColorStop(0, '#35506b');
      grad.addColorStop(1, '#b08a5a');
      g.fillStyle = grad;
      g.fillRect(0, 0, 4000, 3000);
      for (let i = 0; i < 4000; i++) {
        g.fillStyle = `hsl(${(i * 37) % 360} 50% ${30 + (i % 40)}%)`;
        g.fillRect((i * 7919) % 4000, (i * 104729) % 3000, 20 + (i % 60), 20 + (i % 45));
      }
      return c.toDataURL('image/jpeg', 0.85).split(',')[1]!;
    });
    writeFileSync(join(project, 'big.jpg'), Buffer.from(b64, 'base64'));
    writeFileSync(join(project, 'big.xml'), vocWith500Boxes());

    await page.getByLabel('Project folder').fill(project);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const canvas = page.getByTestId('annotation-canvas');
    await expect(canvas).toHaveAttribute('data-boxes', '500');
    await expect(canvas).not.toHaveAttribute('data-view', '');

    const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
    const content = (await canvas.locator('.konvajs-content').boundingBox())!;
    const at = (ix: number, iy: number) => ({ x: Math.round(content.x + ox + ix * scale), y: Math.round(content.y + oy + iy * scale) });

    const startRecording = () => page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __rec: boolean };
      w.__frames = [];
      w.__rec = true;
      let last = performance.now();
      const tick = (t: number): void => {
        w.__frames.push(t - last);
        last = t;
        if (w.__rec) requestAnimationFrame(tick);
      };
      requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
    });
    const stopRecording = async (): Promise<FrameStats> => {
      const frames = await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __rec: boolean };
        w.__rec = false;
        return w.__frames;
      });
      const s = [...frames].sort((a, b) => a - b);
      const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
      return {
        frames: s.length,
        meanMs: +(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)).toFixed(2),
        p50Ms: +q(0.5).toFixed(2),
        p95Ms: +q(0.95).toFixed(2),
        maxMs: +(s[s.length - 1] ?? 0).toFixed(2),
        over33ms: s.filter((x) => x > 33.4).length,
      };
    };

    // select box 262 (row 10, col 12) with a click, then drag it 200 image px right in 60 moves
    const bx = 20 + 12 * 158 + 60;
    const by = 20 + 10 * 148 + 55;
    const p0 = at(bx, by);
    await page.mouse.click(p0.x, p0.y);
    await expect(canvas).toHaveAttribute('data-selected', '262');
    await page.mouse.move(p0.x, p0.y);
    await page.mouse.down();
    await startRecording();
    const p1 = at(bx + 200, by + 100);
    for (let i = 1; i <= 60; i++) {
      await page.mouse.move(p0.x + ((p1.x - p0.x) * i) / 60, p0.y + ((p1.y - p0.y) * i) / 60);
      await page.waitForTimeout(16);
    }
    const drag = await stopRecording();
    await page.mouse.up();

    // pan the view (drag on empty canvas outside the image)
    const e0 = { x: content.x + 5, y: content.y + 5 };
    await page.mouse.move(e0.x, e0.y);
    await page.mouse.down();
    await startRecording();
    for (let i = 1; i <= 40; i++) {
      await page.mouse.move(e0.x + i * 4, e0.y + i * 3);
      await page.waitForTimeout(16);
    }
    const pan = await stopRecording();
    await page.mouse.up();

    // the drag landed on disk (functional check)
    await expect.poll(() => {
      const xml = readFileSync(join(project, 'big.xml'), 'utf8');
      const m = [...xml.matchAll(/<xmin>(\d+)<\/xmin>/g)];
      return Number(m[262]?.[1]);
    }, { timeout: 10_000 }).toBeGreaterThan(20 + 12 * 158 + 150);

    const result = {
      bench: 'label-canvas', date: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadavg: loadavg().map((x) => +x.toFixed(2)),
      image: '4000x3000', boxes: 500, viewScale: scale, drag, pan,
      note: 'requestAnimationFrame intervals in Chromium (flags of playwright.config.ts: --disable-gpu, software raster); 16.7 ms = 60 FPS',
    };
    mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench/results/label-canvas.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`drag one of 500 boxes: ${drag.frames} frames, mean ${drag.meanMs} ms, p95 ${drag.p95Ms} ms, ${drag.over33ms} over 33 ms`);
    console.log(`pan:                   ${pan.frames} frames, mean ${pan.meanMs} ms, p95 ${pan.p95Ms} ms, ${pan.over33ms} over 33 ms`);
    console.log('wrote bench/results/label-canvas.json');
  } finally {
    await browser.close();
    await host.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
