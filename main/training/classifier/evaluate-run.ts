/**
 * Re-evaluates a finished classifier run: reloads its images (same source, shape, colour mode and
 * classes, from config.json), scores weights/best on the stored test split (the validation split
 * when the run has no test images) and rewrites eval.json. `detecta classify eval` uses it.
 */
import * as tf from '@tensorflow/tfjs';
import { buildClassifierEval, type EvaluatedSample } from '../../../shared/ml/classifier/report';
import type { ClassifierEvalReport } from '../../../shared/training/classifier';
import { runPaths, writeJson } from '../run-folder';
import { readRunConfig, readRunState } from '../run-files';
import { loadModelFromFolder } from '../weights-io';
import { pixelBatch } from './batches';
import { loadClassifierDataset } from './dataset';
import { withExampleThumbnails } from './example-thumbnails';

export async function evaluateClassifierRun(dir: string, options: { log?: (message: string) => void } = {}): Promise<ClassifierEvalReport> {
  const paths = runPaths(dir);
  const config = await readRunConfig(dir);
  if (!config) throw new Error(`${dir} is not a run folder (no config.json)`);
  if (config.task !== 'classify') throw new Error(`${dir} is not a classifier run (task ${config.task})`);
  const data = await loadClassifierDataset(config.train.source, {
    preset: config.train.preset, colorMode: config.train.colorMode,
    fixed: { inputShape: config.inputShape, colorMode: config.colorMode, classes: config.classes },
  });
  for (const s of data.skipped) options.log?.(`skipped ${s.file}: ${s.reason}`);
  const byId = new Map(data.samples.map((s, i) => [s.id, i]));
  const which = config.split.test.length > 0 ? 'test' : 'val';
  const ids = config.split[which];
  const idx = ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
  if (idx.length < ids.length) options.log?.(`${ids.length - idx.length} ${which} image(s) are gone or unreadable now; evaluating the ${idx.length} left`);
  if (idx.length === 0) throw new Error(`run ${config.name} has no ${which} images to evaluate`);
  const model = await loadModelFromFolder(paths.best);
  try {
    const evaluated: EvaluatedSample[] = [];
    for (let i = 0; i < idx.length; i += 64) {
      const part = idx.slice(i, i + 64);
      const probs = tf.tidy(() => model.predict(pixelBatch(data.samples, config.inputShape, part, false, null)) as tf.Tensor2D);
      const p = await probs.data();
      const C = probs.shape[1];
      probs.dispose();
      part.forEach((j, k) => {
        let best = 0;
        for (let c = 1; c < C; c++) if (p[k * C + c]! > p[k * C + best]!) best = c;
        const s = data.samples[j]!;
        evaluated.push({ id: s.id, path: s.path, label: s.label, predicted: best, score: p[k * C + best]! });
      });
    }
    // The epoch weights/best holds, as the run recorded it (run.json: best).
    const bestEpoch = (await readRunState(dir, config))?.state.best?.epoch ?? 0;
    const built = buildClassifierEval(evaluated, config.classes, { epoch: bestEpoch, split: which, examples: config.train.confusedExamples });
    const report = await withExampleThumbnails(dir, built, (id) => data.samples[byId.get(id) ?? -1]?.pixels, config.inputShape);
    await writeJson(paths.evalJson, report);
    return report;
  } finally {
    model.dispose();
  }
}
