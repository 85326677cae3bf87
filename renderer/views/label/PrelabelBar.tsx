/**
 * Pre-labeling in the Label view: the detector loaded in the Detect view (or the project's active
 * model, loaded on first use) suggests boxes on this image or on every unlabeled image. Suggestions
 * are draft boxes (`<draft>1</draft>` in the VOC file, dashed on the canvas) until accepted one by
 * one or all at once. Inference runs here in the renderer.
 */
import { useState } from 'react';
import { CheckCheck, Check, Sparkles, WandSparkles } from 'lucide-react';
import { api, projectFileUrl } from '../../client';
import { useApp } from '../../store/app-store';
import { useLabel } from '../../store/label-store';
import { useDetect } from '../detect/detect-store';
import { runFrame } from '../detect/engine/run-frame';
import type { LoadedDetector } from '../detect/engine/load-model';
import type { BoxAnnotation } from '../../../shared/api';
import { classNameProblem } from '../../../shared/dataset/classes';
import { decodeOutputs } from '../../../shared/ml/adapters/decode';
import { loadImage } from '../../lib/image-io';
import { errorMessage } from '../../../shared/error-message';

async function draftBoxes(m: LoadedDetector, url: string, threshold: number): Promise<BoxAnnotation[]> {
  const img = await loadImage(url);
  const raw = await runFrame(m, img, img.naturalWidth, img.naturalHeight);
  const settings = { ...useDetect.getState().settings(), scoreThreshold: threshold };
  return decodeOutputs(m.adapter, raw.outputs, raw.geometry, settings, m.yoloSpec).map((d) => {
    const label = m.adapter.labels[d.classId] ?? `class ${d.classId}`;
    const problem = classNameProblem(label);
    if (problem) throw new Error(`the model's class "${label}" cannot be a class name: ${problem}`);
    return { label, xmin: d.x1, ymin: d.y1, xmax: d.x2, ymax: d.y2, difficult: false, truncated: false, draft: true };
  });
}

export function PrelabelBar({ project }: { project: string }): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const doc = useLabel((s) => s.doc);
  const current = useLabel((s) => s.current);
  const selected = useLabel((s) => s.selected);
  const model = useDetect((s) => s.model);
  const [threshold, setThreshold] = useState(0.4);
  const [busy, setBusy] = useState<string | null>(null);
  const drafts = doc?.boxes.filter((b) => b.draft).length ?? 0;
  const root = project.replace(/[\\/]+$/, '');

  const ensureModel = async (): Promise<LoadedDetector> => {
    const m = useDetect.getState().model ?? (await useDetect.getState().load({ kind: 'active', project }));
    if (!m) throw new Error(useDetect.getState().error ?? 'no model');
    if (m.task !== 'detect') throw new Error(`${m.title} is a classifier: pre-labeling needs a detector (load one in the Detect view, or make a detector run the active model)`);
    return m;
  };

  const detectHere = async (): Promise<void> => {
    if (!current) return;
    setBusy('Detecting…');
    try {
      const boxes = await draftBoxes(await ensureModel(), projectFileUrl(`${root}/${current.id}`), threshold);
      const st = useLabel.getState();
      if (st.current?.id !== current.id || !st.doc) return;
      st.commit({ ...st.doc, boxes: [...st.doc.boxes, ...boxes] });
      notify('info', `${boxes.length} draft box(es) on ${current.id}`);
    } catch (err) {
      notify('error', `Pre-labeling failed: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const detectUnlabeled = async (): Promise<void> => {
    setBusy('Listing unlabeled images…');
    let done = 0;
    let boxesWritten = 0;
    try {
      const m = await ensureModel();
      const page = await api.call('dataset.listImages', { project, filter: 'unlabeled', limit: 5000 });
      for (const entry of page.items) {
        setBusy(`Detecting ${done + 1} / ${page.items.length}…`);
        const boxes = await draftBoxes(m, projectFileUrl(`${root}/${entry.id}`), threshold);
        if (boxes.length) {
          await api.call('dataset.saveAnnotation', { project, imageId: entry.id, boxes, verified: false });
          boxesWritten += boxes.length;
        }
        done++;
      }
      notify('info', `Pre-labeled ${done} unlabeled image(s): ${boxesWritten} draft box(es)`);
      await useLabel.getState().refreshList();
      await useLabel.getState().reloadCurrent();
    } catch (err) {
      notify('error', `Pre-labeling stopped after ${done} image(s): ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const accept = (which: 'selected' | 'all'): void => {
    const st = useLabel.getState();
    if (!st.doc) return;
    st.commit({ ...st.doc, boxes: st.doc.boxes.map((b, i) => (b.draft && (which === 'all' || i === st.selected) ? { ...b, draft: false } : b)) }, st.selected);
  };

  return (
    <div className="canvas-toolbar tools prelabel" role="toolbar" aria-label="Pre-labeling">
      <span className="small muted" title="Model used for pre-labeling">{model ? model.title : "Project's active model"}</span>
      <label className="small" title="Only suggestions scoring at least this become draft boxes">
        min score <input type="number" aria-label="Pre-label threshold" min={0.01} max={0.99} step={0.05} value={threshold} onChange={(e) => setThreshold(Math.min(0.99, Math.max(0.01, Number(e.target.value) || 0.4)))} />
      </label>
      <button type="button" className="button small" disabled={!doc || busy !== null} onClick={() => void detectHere()}><Sparkles size={13} /> Detect on this image</button>
      <button type="button" className="button small" disabled={busy !== null} onClick={() => void detectUnlabeled()}><WandSparkles size={13} /> Detect on all unlabeled</button>
      <span className="tool-sep" />
      <span className="small" data-testid="draft-count">{drafts} draft{drafts === 1 ? '' : 's'}</span>
      <button type="button" className="button small" disabled={selected === null || !doc?.boxes[selected]?.draft} onClick={() => accept('selected')}><Check size={13} /> Accept draft</button>
      <button type="button" className="button small" disabled={!drafts} onClick={() => accept('all')}><CheckCheck size={13} /> Accept all</button>
      {busy ? <span className="busy">{busy}</span> : null}
    </div>
  );
}
