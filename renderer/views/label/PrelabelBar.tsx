/**
 * Pre-labeling in the Label view: the detector loaded in the Detect view (or the project's active
 * model, loaded on first use) suggests boxes on this image or on every unlabeled image. Suggestions
 * are draft boxes (`<draft>1</draft>` in the VOC file, dashed on the canvas) until accepted one by
 * one or all at once. Inference runs here in the renderer.
 *
 * Classes: the model's classes go through the model's remembered mapping (draft-classes.ts);
 * a class the project does not know stays on its drafts, is not added to the project, and
 * accepting such a draft asks what it is (AcceptDraftsDialog).
 */
import { useEffect, useState } from 'react';
import { CheckCheck, Check, Sparkles, WandSparkles, X } from 'lucide-react';
import { api, projectFileUrl } from '../../client';
import { useApp } from '../../store/app-store';
import { useLabel } from '../../store/label-store';
import { selectCurrentId, selectDrafts, selectHasDoc, selectSelectedBox } from '../../store/label/selectors';
import { useDetect } from '../detect/detect-store';
import { imageDetections } from '../detect/image-detections';
import type { LoadedDetector } from '../../detect/load-model';
import type { BoxAnnotation, OpenedProject } from '../../../shared/api';
import { classNameProblem } from '../../../shared/dataset/classes';
import { unknownClasses } from '../../../shared/dataset/class-mapping';
import type { ClassMapping } from '../../../shared/dataset/types';
import { errorMessage } from '../../../shared/error-message';
import { loadedModelKey, mapForProject } from './draft-classes';
import { AcceptDraftsDialog, IGNORE, NEW, type DraftChoice } from './AcceptDraftsDialog';

async function draftBoxes(m: LoadedDetector, url: string, threshold: number): Promise<BoxAnnotation[]> {
  return (await imageDetections(m, url, threshold)).map(({ label, xmin, ymin, xmax, ymax }) => {
    const problem = classNameProblem(label);
    if (problem) throw new Error(`the model's class "${label}" cannot be a class name: ${problem}`);
    return { label, xmin, ymin, xmax, ymax, difficult: false, truncated: false, draft: true };
  });
}

/** 'checking' until known; 'none' when there is no detector to use (with the reason). */
type ModelState = { kind: 'checking' } | { kind: 'ready' } | { kind: 'none'; reason: string };

function useModelState(project: string): ModelState {
  const model = useDetect((s) => s.model);
  const [active, setActive] = useState<ModelState>({ kind: 'checking' });
  useEffect(() => {
    let live = true;
    const check = (): void => {
      api.call('model.getActive', { project }).then(
        (a) => { if (live) setActive(a ? { kind: 'ready' } : { kind: 'none', reason: 'no model: train one (Train view) or load a detector in the Detect view' }); },
        (err: unknown) => { if (live) setActive({ kind: 'none', reason: `cannot read the active model: ${errorMessage(err)}` }); },
      );
    };
    check();
    const off = api.on('dataset.changed', (e) => { if (e.project === project && e.reason === 'config') check(); });
    return () => { live = false; off(); };
  }, [project]);
  if (model?.task === 'detect') return { kind: 'ready' };
  if (model) return { kind: 'none', reason: `${model.title} is a classifier: pre-labeling needs a detector` };
  return active;
}

export function PrelabelBar({ project }: { project: OpenedProject }): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const hasDoc = useLabel(selectHasDoc);
  const currentId = useLabel(selectCurrentId);
  const drafts = useLabel(selectDrafts);
  const selDraft = useLabel((s) => !!selectSelectedBox(s)?.draft);
  const model = useDetect((s) => s.model);
  const tileSize = useDetect((s) => s.tileSize);
  const modelState = useModelState(project.root);
  const [threshold, setThreshold] = useState(0.4);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState<{ which: 'selected' | 'all'; unknown: string[] } | null>(null);
  const root = project.root.replace(/[\\/]+$/, '');

  const ensureModel = async (): Promise<LoadedDetector> => {
    const m = useDetect.getState().model ?? (await useDetect.getState().load({ kind: 'active', project: project.root }));
    if (!m) throw new Error(useDetect.getState().error ?? 'no model');
    if (m.task !== 'detect') throw new Error(`${m.title} is a classifier: pre-labeling needs a detector (load one in the Detect view, or make a detector run the active model)`);
    return m;
  };
  const classesNow = (): string[] => useApp.getState().project?.classes ?? project.classes;

  const detectHere = async (): Promise<void> => {
    if (!currentId) return;
    setBusy('Detecting…');
    setError(null);
    try {
      const found = await draftBoxes(await ensureModel(), projectFileUrl(`${root}/${currentId}`), threshold);
      const mapped = await mapForProject(project.root, classesNow(), found);
      const st = useLabel.getState();
      if (st.current?.id !== currentId || !st.doc) return;
      st.appendBoxes(currentId, mapped.boxes);
      notify('info', `${mapped.boxes.length} draft box(es) on ${currentId}${mapped.dropped ? ` (${mapped.dropped} of ignored classes left out)` : ''}${mapped.unmapped.length ? `; not project classes yet: ${mapped.unmapped.join(', ')}` : ''}`);
    } catch (err) {
      setError(`Pre-labeling failed: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const detectUnlabeled = async (): Promise<void> => {
    setBusy('Listing unlabeled images…');
    setError(null);
    let done = 0;
    let boxesWritten = 0;
    try {
      const m = await ensureModel();
      const page = await api.call('dataset.listImages', { project: project.root, filter: 'unlabeled', limit: 5000 });
      for (const entry of page.items) {
        setBusy(`Detecting ${done + 1} / ${page.items.length}…`);
        const mapped = await mapForProject(project.root, classesNow(), await draftBoxes(m, projectFileUrl(`${root}/${entry.id}`), threshold));
        if (mapped.boxes.length) {
          await api.call('dataset.saveAnnotation', { project: project.root, imageId: entry.id, boxes: mapped.boxes, verified: false });
          boxesWritten += mapped.boxes.length;
        }
        done++;
      }
      notify('info', `Pre-labeled ${done} unlabeled image(s): ${boxesWritten} draft box(es)`);
      await useLabel.getState().refreshList();
      await useLabel.getState().reloadCurrent();
    } catch (err) {
      setError(`Pre-labeling stopped after ${done} image(s): ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const targets = (which: 'selected' | 'all'): ((b: BoxAnnotation) => boolean) => {
    const sel = useLabel.getState().selectedId;
    return (b) => !!b.draft && (which === 'all' || b.key === sel);
  };
  const accept = (which: 'selected' | 'all'): void => {
    const st = useLabel.getState();
    if (!st.doc) return;
    const unknown = unknownClasses(st.doc.boxes.filter(targets(which)).map((b) => b.label), classesNow());
    if (unknown.length) { setAsking({ which, unknown }); return; }
    st.acceptDrafts(which);
  };
  const acceptMapped = async (which: 'selected' | 'all', choices: Record<string, DraftChoice>, remember: boolean): Promise<void> => {
    setAsking(null);
    setError(null);
    try {
      const added = Object.entries(choices).filter(([, c]) => c === NEW).map(([u]) => u);
      for (const name of added) if (!classesNow().includes(name)) {
        const list = await api.call('dataset.addClass', { project: project.root, name });
        const p = useApp.getState().project;
        if (p && p.root === project.root) useApp.setState({ project: { ...p, classes: list } });
      }
      const key = loadedModelKey();
      if (remember && key) {
        const mapping: ClassMapping = Object.fromEntries(Object.entries(choices).map(([u, c]) => [u, c === IGNORE ? null : c === NEW ? u : c]));
        await api.call('dataset.setClassMapping', { project: project.root, model: key, mapping });
      }
      const mapping = Object.fromEntries(Object.entries(choices).map(([u, c]) => [u, c === IGNORE ? null : c === NEW ? u : c]));
      useLabel.getState().acceptDrafts(which, mapping);
    } catch (err) {
      setError(`Could not accept the drafts: ${errorMessage(err)}`);
    }
  };

  const noModel = modelState.kind === 'none' ? modelState.reason : null;
  const hereReason = !hasDoc ? 'no image open' : noModel;
  const allReason = noModel ?? (project.unlabeled === 0 ? 'no unlabeled images' : null);
  const reason = busy ? null : (hereReason ?? allReason);
  return (
    <div className="canvas-toolbar tools prelabel" role="toolbar" aria-label="Pre-labeling">
      <span className="small muted model-name" title={model ? `Model used for pre-labeling: ${model.title}` : "The project's active model"}>{model ? model.title : "Project's active model"}</span>
      <label className="small" title="Only suggestions scoring at least this become draft boxes">
        min score <input type="number" aria-label="Pre-label threshold" min={0.01} max={0.99} step={0.05} value={threshold} onChange={(e) => setThreshold(Math.min(0.99, Math.max(0.01, Number(e.target.value) || 0.4)))} />
      </label>
      <label className="small" title="Tiled detection (SAHI-style) for small objects in large photos, in pre-labeling and the review queue: overlapping tiles at the model's input size plus the whole image, merged by NMS">
        <input type="checkbox" aria-label="Pre-label with tiles" checked={tileSize > 0} onChange={(e) => useDetect.getState().set({ tileSize: e.target.checked ? (model?.task === 'detect' ? model.adapter.inputSize : 416) : 0 })} /> Tiles
      </label>
      <button type="button" className="button small" disabled={hereReason !== null || busy !== null} title={hereReason ?? 'Suggest draft boxes on this image'} onClick={() => void detectHere()}><Sparkles size={13} /> Detect on this image</button>
      <button type="button" className="button small" disabled={allReason !== null || busy !== null} title={allReason ?? 'Suggest draft boxes on every unlabeled image'} onClick={() => void detectUnlabeled()}><WandSparkles size={13} /> Detect on all unlabeled</button>
      <span className="tool-sep" />
      <span className="small" data-testid="draft-count">{drafts} draft{drafts === 1 ? '' : 's'}</span>
      <button type="button" className="button small" disabled={!selDraft} title={selDraft ? 'Accept the selected draft' : 'select a draft box first'} onClick={() => accept('selected')}><Check size={13} /> Accept draft</button>
      <button type="button" className="button small" disabled={!drafts} title={drafts ? 'Accept every draft on this image' : 'no drafts on this image'} onClick={() => accept('all')}><CheckCheck size={13} /> Accept all</button>
      {busy ? <span className="busy">{busy}</span> : null}
      {reason ? <span className="reason small" data-testid="prelabel-reason" title={reason}>{reason}</span> : null}
      {error ? (
        <span className="error-text small prelabel-error" role="alert" data-testid="prelabel-error">
          {error}
          <button type="button" className="icon-button tiny" aria-label="Dismiss the pre-labeling error" onClick={() => setError(null)}><X size={12} /></button>
        </span>
      ) : null}
      {asking ? (
        <AcceptDraftsDialog
          unknown={asking.unknown}
          classes={classesNow()}
          modelTitle={model?.title ?? null}
          onAccept={(choices, remember) => void acceptMapped(asking.which, choices, remember)}
          onCancel={() => setAsking(null)}
        />
      ) : null}
    </div>
  );
}
