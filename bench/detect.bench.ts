/**
 * Detection speed in headless Chromium (Debian's, flags of playwright.config.ts): the renderer's
 * detection path (draw frame → input tensor → predict → read back → decode + NMS → draw boxes)
 * with the tiny preset at 320 and 416, and NanoDet-m (the model zoo's GraphModel, 416, from
 * ../shared/models), on every backend that starts here (wasm, webgl — SwiftShader without a
 * GPU —, webgpu where available, cpu). "inference ms" is pixels to outputs read back;
 * "end-to-end FPS" is whole frames per second including decode and drawing, one after another.
 * The page is cross-origin isolated like the app's (COOP/COEP), so wasm runs its threaded build.
 * Writes bench/results/detect.json and prints a summary. Run: node --import tsx bench/detect.bench.ts
 * (DETECT_BENCH_GPU=1 drops --disable-gpu, for machines with a GPU; DETECT_BENCH_BACKENDS=webgpu,wasm,
 * DETECT_BENCH_SIZES=416 and DETECT_BENCH_MODELS=tiny,nanodet-m run only those.) Chromium gets --enable-unsafe-webgpu (Linux ships WebGPU behind it; the page is
 * http://127.0.0.1, a secure origin, so navigator.gpu exists): without a GPU its adapter is
 * SwiftShader, a software rasterizer, and the webgpu rows then prove the path, not GPU speed.
 */
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium } from '@playwright/test';
import config from '../playwright.config';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../main/transport/isolation';
import { adapterName, isSoftwareAdapter, type DawnAdapter } from '../shared/ml/gpu-adapter';
import type { BenchModel } from './detect/page';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

async function main(): Promise<void> {
  const out = join(tmpdir(), `detecta-detect-bench-${process.pid}`);
  await esbuild.build({ entryPoints: [join(here, 'detect/page.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', outfile: join(out, 'page.js'), logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' } });
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const modelsDir = join(root, '../shared/models');
  const server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    // isolated like the app's page (main/transport/isolation.ts): the wasm backend runs threaded
    if (p === '/') { res.writeHead(200, { 'content-type': 'text/html', ...CROSS_ORIGIN_ISOLATION_HEADERS }); res.end('<!doctype html><script type="module" src="/page.js"></script>'); return; }
    const [dir, rest] = p.startsWith('/wasm/') ? [wasmDir, p.slice(6)] : p.startsWith('/models/') ? [modelsDir, p.slice(8)] : [out, p.slice(1)];
    const file = resolve(dir, decodeURIComponent(rest));
    // only files under the folder the prefix names
    if (!file.startsWith(dir + sep) || !existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream', ...CROSS_ORIGIN_ISOLATION_HEADERS });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const args = [...(config.use?.launchOptions?.args ?? []).filter((a) => !(process.env.DETECT_BENCH_GPU && a === '--disable-gpu')), '--enable-unsafe-webgpu'];
  const browser = await chromium.launch({ executablePath: config.use?.launchOptions?.executablePath ?? '/usr/bin/chromium', args });
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => typeof window.detectBench === 'function');
  const hasGpu = await page.evaluate(() => 'gpu' in navigator && !!navigator.gpu);
  const isolation = await page.evaluate(() => ({ crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }));
  console.log(`crossOriginIsolated ${isolation.crossOriginIsolated} (wasm ${isolation.crossOriginIsolated ? 'threaded' : 'single-threaded'}), ${isolation.hardwareConcurrency} logical CPUs`);
  const adapter = hasGpu ? await page.evaluate(async () => {
    const a = (await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' })) as unknown as { info: Record<string, string>; isFallbackAdapter?: boolean } | null;
    return a ? { info: { vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description, device: a.info.device }, isFallbackAdapter: a.isFallbackAdapter } : null;
  }) : null;
  const webgpuAdapter = adapter ? { name: adapterName(adapter as DawnAdapter), software: isSoftwareAdapter(adapter as DawnAdapter) } : null;
  const softwareNote = webgpuAdapter?.software ? ' [software adapter: not a GPU speed figure]' : '';
  console.log(`WebGPU adapter: ${webgpuAdapter ? `${webgpuAdapter.name}${webgpuAdapter.software ? ' (software rasterizer, no GPU)' : ''}` : hasGpu ? 'none' : 'no navigator.gpu'}`);
  const sizes = process.env.DETECT_BENCH_SIZES?.split(',').map(Number) ?? [320, 416];
  const only = process.env.DETECT_BENCH_BACKENDS?.split(',').map((b) => b.trim()).filter((b) => b);
  const backends = ([...(hasGpu ? ['webgpu'] : []), 'webgl', 'wasm', 'cpu'] as const).filter((b) => !only || only.includes(b));
  const models = (process.env.DETECT_BENCH_MODELS?.split(',').map((m) => m.trim()).filter((m) => m) ?? ['tiny', 'nanodet-m', 'nanodet-m-graph']) as BenchModel[];
  // NanoDet-m has one input size (416): it runs once per backend
  const cases: Array<[BenchModel, number]> = models.flatMap((m): Array<[BenchModel, number]> => (m === 'tiny' ? sizes.map((s): [BenchModel, number] => [m, s]) : [[m, 416]]));
  const runs: Record<string, unknown>[] = [];
  for (const backend of backends) {
    for (const [model, size] of cases) {
      const frames = backend === 'cpu' ? 5 : 30;
      try {
        const r = await page.evaluate(([b, s, f, m]) => window.detectBench(b as 'webgl', s as number, f as number, m as BenchModel), [backend, size, frames, model] as const);
        runs.push(r);
        console.log(`${model.padEnd(15)} ${String(r.backend).padEnd(7)}${r.wasmThreads ? ` (${r.wasmThreads} threads)` : ''} ${size}: inference ${r.inferMsMedian} ms/frame (median of ${frames}), end-to-end ${r.endToEndFps} FPS, first frame ${r.firstFrameMs} ms, tensors ${r.tensorsBefore}→${r.tensorsAfter}${r.backend === 'webgpu' ? softwareNote : ''}`);
      } catch (err) {
        runs.push({ model, backend, inputSize: size, error: (err as Error).message.split('\n')[0] });
        console.log(`${model.padEnd(15)} ${backend.padEnd(7)} ${size}: not available (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
  const gl = await page.evaluate(() => {
    const c = document.createElement('canvas').getContext('webgl2') as WebGL2RenderingContext | null;
    const ext = c?.getExtension('WEBGL_debug_renderer_info');
    return c ? String(ext ? c.getParameter(ext.UNMASKED_RENDERER_WEBGL) : c.getParameter(c.RENDERER)) : 'no WebGL2';
  });
  await browser.close();
  server.close();
  // WebGPU next to wasm (the window's CPU fallback) at each size
  const fps = (m: string, b: string, size: number) => runs.find((r) => r.model === m && r.backend === b && r.inputSize === size && typeof r.endToEndFps === 'number')?.endToEndFps as number | undefined;
  for (const [model, size] of cases) {
    const g = fps(model, 'webgpu', size);
    const w = fps(model, 'wasm', size);
    if (g !== undefined || w !== undefined) console.log(`${model} ${size}: webgpu ${g ?? '—'} FPS, wasm ${w ?? '—'} FPS${g && w ? ` (webgpu/wasm ${(g / w).toFixed(2)}×)` : ''}${g !== undefined ? softwareNote : ''}`);
  }
  const result = { bench: 'detect', date: new Date().toISOString(), browser: browser.version(), webglRenderer: gl, webgpuAdapter, chromiumArgs: args, ...isolation, cpu: cpus()[0]?.model, cpus: cpus().length, loadAverage1m: loadavg()[0], models: { tiny: 'tiny preset (20 classes, random weights)', 'nanodet-m': 'NanoDet-m 416 COCO (model zoo), as the Detect view loads it: rebuilt as NHWC layers', 'nanodet-m-graph': 'the same model as its converted NCHW GraphModel' }, frameSize: '640x480', runs };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'detect.json'), JSON.stringify(result, null, 2));
  console.log(`WebGL renderer: ${gl}; results in bench/results/detect.json`);
}

main().catch((err) => { console.error(err); process.exit(1); });
