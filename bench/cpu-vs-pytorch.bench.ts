/**
 * CPU training against PyTorch (issue 19), in one run: our trainer and the PyTorch anchor scripts
 * of ../shared/anchors/pytorch on the same architecture, batch and input size, each with 1 thread
 * and with N (the machine's CPUs), interleaved so machine load hits both sides alike.
 *
 * Workloads
 *  - mobilenet: our `mobilenet` detector preset (MobileNet v1 0.25 + YOLOv2 head) at 224, batch
 *    16, through the real trainer (runTraining, wasm backend with our kernels) on raccoon images:
 *    epoch 1 frozen backbone, epoch 2 unfrozen. Ours is end to end (batch assembly, augmentation,
 *    the step); `withDecode` also charges each epoch's images their decode + fit cost, as a first
 *    epoch pays before the decoded images are cached at training size. PyTorch:
 *    torch_yolo_mnv1.py (same network, random tensors, compute only).
 *  - fmnist: the seed's Fashion-MNIST CNN, batch 64, through runClassifierTraining on the real IDX
 *    files; PyTorch: torch_fmnist.py.
 * Ours: each batch's wall time is the gap between the trainer's progress events (one per batch);
 * the first batch of each epoch (kernel building, epoch boundary) is not timed.
 * Thread count: our side runs in a child process with DETECTA_WASM_THREADS (the trainer's wasm
 * thread count is fixed per process); PyTorch gets torch.set_num_threads.
 * PyTorch is /usr/bin/python3 with torch (`apt-get install -y python3-torch`); when it is missing
 * the PyTorch side is skipped with the reason and our figures are still measured.
 *
 * Run: node --import tsx bench/cpu-vs-pytorch.bench.ts [--workloads mobilenet,fmnist] [--threads 1,2]
 *      [--train-images 96] [--reps 1]
 * Writes bench/results/cpu-vs-pytorch.json and prints ratios (ours / PyTorch) per workload and thread
 * count, and each side's 1 → N thread scaling. (Tests never assert timings.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = path.resolve(here, '../../shared');
const ANCHORS = path.join(SHARED, 'anchors/pytorch');
const MOBILENET = path.join(SHARED, 'models/mobilenet_v1_0.25_224/model.json');
const RACCOON = path.join(SHARED, 'datasets/detection-voc/raccoon');
const FASHION = path.join(SHARED, 'datasets/classification/fashion-mnist');
const PYTHON = '/usr/bin/python3';
const RESULT = 'RESULT ';

const { values } = parseArgs({
  options: {
    child: { type: 'string' }, workloads: { type: 'string', default: 'mobilenet,fmnist' }, threads: { type: 'string' },
    'train-images': { type: 'string', default: '96' }, reps: { type: 'string', default: '1' },
  },
});
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Per-batch timing from progress events: images/s over every batch but each epoch's first. */
class BatchClock {
  private last = new Map<number, number>();
  readonly epochs = new Map<number, { images: number; ms: number; batches: number }>();
  tick(epoch: number, batch: number, images: number): void {
    const now = performance.now();
    const prev = this.last.get(epoch);
    this.last.set(epoch, now);
    if (batch <= 1 || prev === undefined) return;
    const e = this.epochs.get(epoch) ?? { images: 0, ms: 0, batches: 0 };
    e.images += images; e.ms += now - prev; e.batches++;
    this.epochs.set(epoch, e);
  }
  rate(epoch: number): number | null {
    const e = this.epochs.get(epoch);
    return e && e.ms > 0 ? (e.images * 1000) / e.ms : null;
  }
}

// ---------------------------------------------------------------- our side (child process)

async function oursMobilenet(trainImages: number): Promise<Record<string, unknown>> {
  const { openDatasetProject } = await import('../main/dataset/project');
  const { runTraining } = await import('../main/training/detect-task');
  const root = await mkdtemp(path.join(tmpdir(), 'detecta-bench-cpu-torch-'));
  try {
    const dir = path.join(root, 'raccoon');
    cpSync(path.join(RACCOON, 'images'), path.join(dir, 'images'), { recursive: true });
    cpSync(path.join(RACCOON, 'annotations'), path.join(dir, 'annotations'), { recursive: true });
    const project = await openDatasetProject(dir, { watch: false });
    await project.ready();
    const ids = project.listImages({ limit: Number.MAX_SAFE_INTEGER, filter: 'all' }).items.filter((e) => e.status === 'labeled').map((e) => e.id).sort();
    if (ids.length < trainImages + 2) throw new Error(`raccoon has ${ids.length} labeled images, fewer than ${trainImages} + 2`);
    // trainImages to train on, 2 to validate on (the trainer validates the untrained model and the last epoch), the rest left out
    for (const [i, id] of ids.entries()) await project.setSplit(id, i < trainImages ? 'train' : i < trainImages + 2 ? 'val' : 'test');
    await project.close();
    const clock = new BatchClock();
    let envAt = 0;
    let dataAt = 0;
    let env: unknown = null;
    const batchSize = 16;
    if (trainImages % batchSize !== 0) throw new Error(`--train-images ${trainImages} must be a multiple of the batch (${batchSize})`);
    await runTraining({
      project: dir, name: 'bench',
      config: { preset: 'mobilenet', backend: 'wasm', seed: 1, inputSize: 224, batchSize, epochs: 2, freezeEpochs: 1, valEvery: 1000, backbone: MOBILENET },
      progressIntervalMs: 0,
    }, {
      emit: (ev) => {
        if (ev.type === 'env') { env = ev.payload; envAt = performance.now(); }
        if (ev.type === 'log' && ev.payload.message.startsWith('data: ')) dataAt = performance.now();
        if (ev.type === 'log' && ev.payload.level !== 'info') console.error(`  ${ev.payload.message}`);
        if (ev.type === 'progress') {
          const p = ev.payload;
          // every batch is full here (trainImages is a multiple of the batch)
          clock.tick(p.epoch, p.batch, batchSize);
        }
      },
      control: { shouldCancel: () => false, waitIfPaused: async () => {} },
    });
    // loading = decode + fit of trainImages + 2 images (plus opening the project: a few ms)
    const decodeSecondsPerImage = (dataAt - envAt) / 1000 / (trainImages + 2);
    const withDecode = (r: number | null) => (r === null ? null : 1 / (1 / r + decodeSecondsPerImage));
    const frozen = clock.rate(1);
    const unfrozen = clock.rate(2);
    return {
      env, trainImages, batchSize, timedBatches: { frozen: clock.epochs.get(1)?.batches ?? 0, unfrozen: clock.epochs.get(2)?.batches ?? 0 },
      frozen, unfrozen, decodeMsPerImage: decodeSecondsPerImage * 1000,
      withDecode: { frozen: withDecode(frozen), unfrozen: withDecode(unfrozen) },
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function oursFmnist(): Promise<Record<string, unknown>> {
  const { runClassifierTraining } = await import('../main/training/classifier/classify-task');
  const home = await mkdtemp(path.join(tmpdir(), 'detecta-bench-cpu-torch-fm-'));
  try {
    const clock = new BatchClock();
    const batch = 64;
    let env: unknown = null;
    await runClassifierTraining({
      task: 'classify', project: home, name: 'fmnist',
      config: { source: { kind: 'idx', dir: FASHION, trainLimit: batch * 24, testLimit: 64 }, preset: 'fashion-mnist-cnn', epochs: 1, batchSize: batch, valFraction: 0.05, backend: 'wasm', seed: 1 },
      progressIntervalMs: 0,
    }, {
      emit: (e) => {
        if (e.type === 'env') env = e.payload;
        // the last batch may be partial: left untimed (its image count is not in the event)
        if (e.type === 'progress' && e.payload.batch < e.payload.batches) clock.tick(e.payload.epoch, e.payload.batch, batch);
      },
      control: { shouldCancel: () => false, waitIfPaused: async () => {} },
    });
    return { env, batch, timedBatches: clock.epochs.get(1)?.batches ?? 0, imagesPerSecond: clock.rate(1) };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the run (parent process)

function runChild(workload: string, threads: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', workload, '--train-images', values['train-images']!];
    const child = spawn(process.execPath, args, { env: { ...process.env, DETECTA_WASM_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) reject(new Error(`ours ${workload} (${threads} threads) exited with ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      else resolve(JSON.parse(line.slice(RESULT.length)) as Record<string, unknown>);
    });
  });
}

/** Why PyTorch cannot run here, or null when it can. */
function torchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  for (const f of ['torch_yolo_mnv1.py', 'torch_fmnist.py']) if (!existsSync(path.join(ANCHORS, f))) return `${path.join(ANCHORS, f)} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { env: torchEnv(), encoding: 'utf8' });
  if (r.status !== 0) return `python3-torch is not installed (${(r.stderr || '').trim().split('\n').pop() ?? 'import torch failed'}); install it with apt-get install -y python3-torch`;
  return null;
}

/** The anchors' README: unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for PyTorch alone. */
function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function runTorch(script: string, threads: number): { text: string; numbers: number[] } {
  const r = spawnSync(PYTHON, [path.join(ANCHORS, script), String(threads)], { env: torchEnv(), encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${script} ${threads} exited with ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const text = r.stdout.trim();
  // "… frozen 61.2 img/s, unfrozen 40.1 img/s" / "… batch 64: 361 img/s"
  const numbers = [...text.matchAll(/([\d.]+) img\/s/g)].map((m) => Number(m[1]));
  return { text, numbers };
}

type Side = Record<string, number | null>;
interface Row { workload: string; threads: number; ours: Side; torch: Side | null; ratio: Side | null }

async function main(): Promise<void> {
  if (values.child) {
    const r = values.child === 'mobilenet' ? await oursMobilenet(Number(values['train-images'])) : values.child === 'fmnist' ? await oursFmnist() : null;
    if (!r) throw new Error(`unknown workload ${values.child}`);
    process.stdout.write(RESULT + JSON.stringify(r) + '\n');
    process.exit(0); // the trainer's process does not linger either
  }
  const machineThreads = availableParallelism();
  const threadList = (values.threads ?? `1,${Math.max(2, machineThreads)}`).split(',').map(Number);
  const workloads = values.workloads!.split(',').map((s) => s.trim()).filter(Boolean);
  const reps = Number(values.reps);
  const missing = torchMissing();
  if (missing) console.log(`PyTorch skipped: ${missing}`);
  const loadBefore = loadavg().map((l) => round(l, 2));
  const rows: Row[] = [];
  const raw: Record<string, unknown>[] = [];
  for (const workload of workloads) {
    for (const threads of threadList) {
      for (let rep = 0; rep < reps; rep++) {
        const ours = await runChild(workload, threads);
        let torch: { text: string; numbers: number[] } | null = null;
        if (!missing) torch = runTorch(workload === 'mobilenet' ? 'torch_yolo_mnv1.py' : 'torch_fmnist.py', threads);
        raw.push({ workload, threads, rep, ours, torch: torch?.text ?? null, load1m: round(loadavg()[0]!, 2) });
        let o: Side;
        let t: Side | null = null;
        if (workload === 'mobilenet') {
          const wd = ours.withDecode as Side;
          o = { frozen: ours.frozen as number | null, unfrozen: ours.unfrozen as number | null, frozenWithDecode: wd.frozen ?? null, unfrozenWithDecode: wd.unfrozen ?? null };
          if (torch) t = { frozen: torch.numbers[0] ?? null, unfrozen: torch.numbers[1] ?? null };
        } else {
          o = { imagesPerSecond: ours.imagesPerSecond as number | null };
          if (torch) t = { imagesPerSecond: torch.numbers[0] ?? null };
        }
        const ratio = t ? Object.fromEntries(Object.keys(o).map((k) => {
          const tk = k.replace('WithDecode', '');
          const a = o[k];
          const b = t![tk];
          return [k, a != null && b != null && b > 0 ? round(a / b, 2) : null];
        })) : null;
        const row = { workload, threads, ours: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v == null ? null : round(v)])), torch: t, ratio };
        rows.push(row);
        console.log(`${workload} ${threads} thread(s): ours ${JSON.stringify(row.ours)}  PyTorch ${t ? JSON.stringify(t) : '(skipped)'}  ratio ${ratio ? JSON.stringify(ratio) : '-'}`);
      }
    }
  }
  // 1 → N thread scaling of each side (first and last thread counts, first repetition)
  const scaling = workloads.map((workload) => {
    const lo = rows.find((r) => r.workload === workload && r.threads === threadList[0]);
    const hi = rows.find((r) => r.workload === workload && r.threads === threadList[threadList.length - 1]);
    const div = (a?: Side | null, b?: Side | null) => (a && b ? Object.fromEntries(Object.keys(b).map((k) => [k, a[k] != null && b[k] ? round(a[k]! / b[k]!, 2) : null])) : null);
    return { workload, from: threadList[0], to: threadList[threadList.length - 1], ours: div(hi?.ours, lo?.ours), torch: div(hi?.torch, lo?.torch) };
  });
  for (const s of scaling) console.log(`${s.workload} scaling ${s.from} → ${s.to} threads: ours ${JSON.stringify(s.ours)}, PyTorch ${s.torch ? JSON.stringify(s.torch) : '(skipped)'}`);
  const results = {
    bench: 'cpu-vs-pytorch', date: new Date().toISOString(),
    machine: { cpus: cpus().length, availableParallelism: machineThreads, model: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg().map((l) => round(l, 2)) },
    torch: missing ? { skipped: missing } : { python: PYTHON, scripts: readdirSync(ANCHORS).filter((f) => f.endsWith('.py')) },
    method: 'ours: real trainer in a child process per thread count (DETECTA_WASM_THREADS), batch wall time from per-batch progress events, first batch of each epoch untimed; withDecode adds the measured decode+fit time per image; PyTorch: the anchor scripts (compute only on random tensors). Ratio = ours / PyTorch at the same thread count; runs interleaved.',
    rows, scaling, raw,
  };
  mkdirSync(path.join(here, 'results'), { recursive: true });
  const out = path.join(here, 'results', 'cpu-vs-pytorch.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`written ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
