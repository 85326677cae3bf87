/**
 * The review queue in the Label view: a drawer over the canvas listing the likely label errors
 * (review-store.ts), most likely first. The selected finding's image opens in the editor with its
 * label box selected, and a preview shows the label (solid) and the model's suggestion (dashed)
 * side by side on the image. One-key fixes while the drawer has the focus: A accepts the
 * suggestion, K keeps the label (dismissed, remembered), X deletes the label box, ↑/↓ move.
 */
import { useEffect, useRef } from 'react';
import { Check, ListChecks, RefreshCw, ShieldCheck, Trash2, X } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import type { ReviewFinding, ReviewRect } from '../../../shared/dataset/review';
import { useReview, type FixAction } from './review-store';

const KIND_TEXT: Record<ReviewFinding['kind'], string> = {
  missing: 'Missing box',
  spurious: 'Spurious box',
  'wrong-class': 'Wrong class',
  loose: 'Loose box',
  duplicate: 'Duplicate',
};

function explain(f: ReviewFinding): string {
  const s = f.suggestion;
  switch (f.kind) {
    case 'missing': return `the model sees ${s!.label} (${s!.score.toFixed(2)}) where nothing is labeled`;
    case 'spurious': return `the model does not see this ${f.label}`;
    case 'wrong-class': return `labeled ${f.label}; the model sees ${s!.label} (${s!.score.toFixed(2)})`;
    case 'loose': return `${f.label} overlaps the model's box by IoU ${f.iou!.toFixed(2)}`;
    case 'duplicate': return `a second ${f.label} box on the same object (IoU ${f.iou!.toFixed(2)})`;
  }
}

const ACCEPT_TEXT: Record<ReviewFinding['kind'], string> = {
  missing: 'Add box', spurious: 'Delete box', 'wrong-class': 'Change class', loose: 'Use model box', duplicate: 'Delete duplicate',
};

/** One crop of the image around the finding, with one box drawn. */
function Crop({ src, area, box, kind, title }: { src: string; area: ReviewRect; box: ReviewRect | null; kind: 'label' | 'model'; title: string }): React.JSX.Element {
  const w = area.xmax - area.xmin;
  const h = area.ymax - area.ymin;
  const stroke = Math.max(w, h) / 90;
  return (
    <figure className="review-crop">
      <svg viewBox={`${area.xmin} ${area.ymin} ${w} ${h}`} preserveAspectRatio="xMidYMid meet" role="img" aria-label={title} data-testid={`review-crop-${kind}`}>
        <image href={src} x={0} y={0} />
        {box ? (
          <rect x={box.xmin} y={box.ymin} width={box.xmax - box.xmin} height={box.ymax - box.ymin} fill="none"
            className={kind === 'label' ? 'review-label-box' : 'review-model-box'} strokeWidth={stroke} strokeDasharray={kind === 'model' ? `${stroke * 3} ${stroke * 2}` : undefined} />
        ) : null}
      </svg>
      <figcaption className="small muted">{title}</figcaption>
    </figure>
  );
}

function Preview({ f, root }: { f: ReviewFinding; root: string }): React.JSX.Element {
  const size = useLabel((s) => (s.current?.id === f.imageId ? s.imageSize : null));
  const boxes = [f.box, f.suggestion].filter((b): b is ReviewRect => b !== null);
  const u = { xmin: Math.min(...boxes.map((b) => b.xmin)), ymin: Math.min(...boxes.map((b) => b.ymin)), xmax: Math.max(...boxes.map((b) => b.xmax)), ymax: Math.max(...boxes.map((b) => b.ymax)) };
  const pad = Math.max(u.xmax - u.xmin, u.ymax - u.ymin) * 0.35;
  const area = {
    xmin: Math.max(0, u.xmin - pad), ymin: Math.max(0, u.ymin - pad),
    xmax: size ? Math.min(size.width, u.xmax + pad) : u.xmax + pad, ymax: size ? Math.min(size.height, u.ymax + pad) : u.ymax + pad,
  };
  const src = projectFileUrl(`${root}/${f.imageId}`);
  const s = f.suggestion;
  return (
    <div className="review-preview" data-testid="review-preview">
      <Crop src={src} area={area} box={f.box} kind="label" title={f.box ? `Label: ${f.label}` : 'Label: none'} />
      <Crop src={src} area={area} box={f.kind === 'duplicate' ? null : s} kind="model" title={s && f.kind !== 'duplicate' ? `Model: ${s.label} ${s.score.toFixed(2)}` : 'Model: nothing'} />
    </div>
  );
}

/** Unlabeled images listed under "Label next" (all of them: `detecta dataset review --json`). */
const LABEL_NEXT_SHOWN = 20;

export function ReviewPanel({ project }: { project: OpenedProject }): React.JSX.Element {
  const { open, running, error, findings, labelNext, reviewed, index, confidence } = useReview();
  const listRef = useRef<HTMLOListElement>(null);
  const drawerRef = useRef<HTMLDivElement>(null);
  const root = project.root.replace(/[\\/]+$/, '');
  const current = findings[index] ?? null;

  useEffect(() => { if (useReview.getState().project !== project.root) useReview.setState({ findings: [], labelNext: [], project: null, open: false }); }, [project.root]);
  useEffect(() => { listRef.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: 'nearest' }); }, [index]);
  useEffect(() => { if (open) drawerRef.current?.focus(); }, [open]);

  if (!open) {
    return (
      <button type="button" className="button small review-open" title="Find likely label errors with the model" onClick={() => {
        useReview.getState().setOpen(true);
        if (!useReview.getState().findings.length && !useReview.getState().running) void useReview.getState().run(project.root);
      }}><ListChecks size={13} /> Review labels</button>
    );
  }
  const fix = (a: FixAction): void => { void useReview.getState().fix(a); };
  const onKey = (e: React.KeyboardEvent): void => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    const act = (f: () => void): void => { e.preventDefault(); e.stopPropagation(); f(); };
    if (k === 'a') act(() => fix('accept'));
    else if (k === 'k') act(() => fix('keep'));
    else if (k === 'x' || k === 'delete') act(() => fix('delete'));
    else if (k === 'arrowdown' || k === 'j') act(() => void useReview.getState().show(Math.min(findings.length - 1, index + 1)));
    else if (k === 'arrowup') act(() => void useReview.getState().show(Math.max(0, index - 1)));
    else if (k === 'escape') act(() => useReview.getState().setOpen(false));
  };
  return (
    <div className="review-drawer" role="region" aria-label="Review queue" tabIndex={0} ref={drawerRef} onKeyDown={onKey} data-testid="review-panel">
      <header className="review-head">
        <strong>Review</strong>
        <span className="small muted" data-testid="review-count">{running ?? `${findings.length} finding${findings.length === 1 ? '' : 's'} in ${reviewed} labeled image${reviewed === 1 ? '' : 's'}`}</span>
        <span className="spacer" />
        {confidence !== null && !running ? <span className="small muted" title="Detections from this score count as confident: the score where the model agrees best with your labels">≥ {confidence.toFixed(2)}</span> : null}
        <button type="button" className="icon-button tiny" aria-label="Review again" title="Run the model again" disabled={running !== null} onClick={() => void useReview.getState().run(project.root)}><RefreshCw size={12} /></button>
        <button type="button" className="icon-button tiny" aria-label="Close the review" onClick={() => useReview.getState().setOpen(false)}><X size={12} /></button>
      </header>
      {error ? <p className="error-text small" role="alert" data-testid="review-error">{error}</p> : null}
      {current ? (
        <section className="review-current" data-testid="review-current" data-kind={current.kind}>
          <div className="small"><span className={`review-kind k-${current.kind}`}>{KIND_TEXT[current.kind]}</span> <span className="muted">{current.imageId} · score {current.score.toFixed(2)}</span></div>
          <div className="small">{explain(current)}</div>
          <Preview f={current} root={root} />
          <div className="review-actions">
            <button type="button" className="button small primary" onClick={() => fix('accept')} title="A"><Check size={13} /> {ACCEPT_TEXT[current.kind]} <kbd>A</kbd></button>
            {current.boxId !== null ? <button type="button" className="button small" onClick={() => fix('keep')} title="K"><ShieldCheck size={13} /> Keep label <kbd>K</kbd></button>
              : <button type="button" className="button small" onClick={() => fix('keep')} title="K"><ShieldCheck size={13} /> Not an object <kbd>K</kbd></button>}
            {current.boxId !== null && current.kind !== 'spurious' && current.kind !== 'duplicate'
              ? <button type="button" className="button small" onClick={() => fix('delete')} title="X"><Trash2 size={13} /> Delete box <kbd>X</kbd></button> : null}
          </div>
        </section>
      ) : !running && reviewed ? <p className="small muted">No likely label errors left.</p> : null}
      <ol className="review-list" ref={listRef} aria-label="Findings">
        {findings.slice(0, 500).map((f, i) => (
          <li key={`${f.imageId}|${f.kind}|${f.boxId ?? i}|${f.suggestion?.xmin ?? ''}`} data-index={i}>
            <button type="button" className={i === index ? 'active' : ''} onClick={() => void useReview.getState().show(i)}>
              <span className={`review-kind k-${f.kind}`}>{KIND_TEXT[f.kind]}</span>
              <span className="review-image">{f.imageId}</span>
              <span className="review-score">{f.score.toFixed(2)}</span>
            </button>
          </li>
        ))}
      </ol>
      {labelNext.length ? (
        <footer className="review-next small" data-testid="review-label-next">
          <div className="muted" title="Unlabeled images the model is least sure about: labeling them teaches it most">Label next ({labelNext.length} unlabeled, least sure first)</div>
          <ol aria-label="Label next">
            {labelNext.slice(0, LABEL_NEXT_SHOWN).map((e) => (
              <li key={e.imageId}>
                <button type="button" onClick={() => void useReview.getState().openNext(e.imageId)} title={`${e.detections} detection${e.detections === 1 ? '' : 's'}, uncertainty ${e.uncertainty.toFixed(2)}`}>
                  <span className="review-image">{e.imageId}</span>
                  <span className="review-score">{e.uncertainty.toFixed(2)}</span>
                </button>
              </li>
            ))}
          </ol>
        </footer>
      ) : null}
    </div>
  );
}
