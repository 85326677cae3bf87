/**
 * Image mode: open images (project images, a path inside a project, the file picker or drag &
 * drop), run the loaded model, draw and list its boxes (a detector) or its top-k classes (a
 * classifier), save NAME_detected.EXT / NAME_classified.EXT next to the source or into a chosen
 * folder, one by one or as a batch with progress, and download every image's results as CSV.
 * Frame results are cached per image, so the sliders re-run only the decode or the ranking.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Download, ImagePlus, Play, Save, X } from 'lucide-react';
import { api, projectFileUrl } from '../../client';
import { resolveProjectPath } from './project-path';
import { useApp } from '../../store/app-store';
import { useDetect } from './detect-store';
import { emptyPrediction, predictFrame, predictionCount, type FrameResult, type Prediction } from '../../detect/predict-frame';
import { annotatedBlob, drawPrediction } from '../../detect/draw';
import { imagesDetectionsFile } from '../../detect/detections-file';
import { detectionsFileCsv, detectionsFileJson } from '../../../shared/results/detections-file';
import { imageOutputType, outputPath, resultSuffix } from './output-paths';
import { PredictionList } from './PredictionList';
import { labelsOf, type LoadedModel } from '../../detect/load-model';
import { downloadBlob } from '../../components/charts/chart-png';
import { loadImage } from '../../lib/image-io';
import { errorMessage } from '../../../shared/error-message';

interface Item {
  key: string;
  name: string;
  url: string;
  /** Absolute path when the image came from a project (results go next to it). */
  path: string | null;
}

/** Images smaller than this (px, longer side) are drawn enlarged by a whole factor. */
const MIN_DISPLAY_SIDE = 480;

export function ImageMode(): React.JSX.Element {
  const project = useApp((s) => s.project);
  const notify = useApp((s) => s.notify);
  const { model, score, iou, hidden, topK, interpret, sampleMemory, tileSize } = useDetect();
  const [items, setItems] = useState<Item[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [pathInput, setPathInput] = useState('');
  const [search, setSearch] = useState('');
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [rawVersion, setRawVersion] = useState(0);
  const raws = useRef(new Map<string, { model: LoadedModel; tileSize: number; result: FrameResult; img: HTMLImageElement }>());
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const cancelRef = useRef(false);

  const add = useCallback((next: Item[]) => {
    setItems((prev) => {
      const have = new Set(prev.map((i) => i.key));
      return [...prev, ...next.filter((i) => !have.has(i.key))];
    });
    setCurrent((c) => c ?? next[0]?.key ?? null);
  }, []);

  const addFiles = (files: FileList | File[]): void => {
    const list = [...files].filter((f) => f.type.startsWith('image/'));
    if (!list.length) { notify('error', 'No image files among the dropped files'); return; }
    add(list.map((f) => ({ key: `file:${f.name}:${f.size}:${f.lastModified}`, name: f.name, url: URL.createObjectURL(f), path: null })));
  };

  const addPath = (): void => {
    const r = resolveProjectPath(pathInput, project?.root ?? null);
    if ('error' in r) { notify('error', r.error); return; }
    const p = r.path;
    add([{ key: `path:${p}`, name: p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1), url: projectFileUrl(p), path: p }]);
    setPathInput('');
  };

  const addProjectImages = async (): Promise<void> => {
    if (!project) return;
    try {
      const page = await api.call('dataset.listImages', { project: project.root, limit: 500, filter: 'all', ...(search.trim() ? { search: search.trim() } : {}) });
      const root = project.root.replace(/[\\/]+$/, '');
      add(page.items.map((e) => { const path = `${root}/${e.id}`; return { key: `path:${path}`, name: e.name, url: projectFileUrl(path), path }; }));
      if (!page.items.length) notify('info', 'No project images match');
    } catch (err) {
      notify('error', `Could not list the project images: ${errorMessage(err)}`);
    }
  };

  /** The frame result of an item for the current model and tile setting (cached). */
  const rawOf = useCallback(async (item: Item, m: LoadedModel) => {
    const tiles = useDetect.getState().tileOptions();
    const hit = raws.current.get(item.key);
    if (hit && hit.model === m && hit.tileSize === (tiles?.tileSize ?? 0)) return hit;
    const img = await loadImage(item.url);
    const result = await predictFrame(m, img, img.naturalWidth, img.naturalHeight, tiles);
    const entry = { model: m, tileSize: tiles?.tileSize ?? 0, result, img };
    raws.current.set(item.key, entry);
    sampleMemory();
    return entry;
  }, [sampleMemory]);

  const currentItem = items.find((i) => i.key === current) ?? null;
  const cachedEntry = currentItem ? raws.current.get(currentItem.key) : undefined;
  const cached = cachedEntry && cachedEntry.tileSize === (model?.task === 'detect' ? tileSize : 0) ? cachedEntry : undefined;
  const prediction = useMemo<Prediction>(
    () => (cached && cached.model === model ? interpret(cached.result) : emptyPrediction(model?.task ?? 'detect')),
    // score, iou, hidden and topK are read by interpret through the store, so they are listed here
    [cached, model, interpret, rawVersion, score, iou, hidden, topK],
  );
  const verb = model?.task === 'classify' ? 'Classify' : 'Detect';

  // detect the current image when it or the model changes
  useEffect(() => {
    if (!currentItem || !model) return;
    let alive = true;
    setBusy(model.task === 'classify' ? 'Classifying…' : 'Detecting…');
    rawOf(currentItem, model).then(() => { if (alive) { setBusy(null); setRawVersion((v) => v + 1); } }, (err: unknown) => { if (alive) { setBusy(null); notify('error', `${currentItem.name}: ${errorMessage(err)}`); } });
    return () => { alive = false; };
  }, [currentItem, model, rawOf, notify, tileSize]);

  // draw (also on every slider change: decode only)
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !cached || !model) return;
    const { img } = cached;
    const w = img.naturalWidth;
    const h = img.naturalHeight;
    // small images (a 28 px digit, a 24 px crop) are shown enlarged, pixels kept sharp, so the
    // boxes and the class panel stay readable; saved files keep the image's own size
    const zoom = Math.max(1, Math.floor(MIN_DISPLAY_SIDE / Math.max(w, h)));
    canvas.width = w * zoom;
    canvas.height = h * zoom;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = zoom === 1;
    ctx.drawImage(img, 0, 0, w * zoom, h * zoom);
    drawPrediction(ctx, prediction, labelsOf(model), w, h, zoom);
  }, [cached, prediction, model]);

  const ensureFolder = async (): Promise<string> => {
    if (!folder.trim()) return '';
    const r = await api.call('detect.chooseOutputFolder', { path: folder.trim() });
    return r.dir;
  };

  const saveOne = async (item: Item, m: LoadedModel, outDir: string): Promise<string> => {
    const { result, img } = await rawOf(item, m);
    const found = useDetect.getState().interpret(result);
    const { type, ext } = imageOutputType(item.name);
    const blob = await annotatedBlob(img, img.naturalWidth, img.naturalHeight, found, labelsOf(m), type);
    const target = outputPath(item.name, item.path, outDir, resultSuffix(m.task), ext);
    const r = await api.writeFile(target, blob);
    return r.path;
  };

  const saveCurrent = async (): Promise<void> => {
    if (!currentItem || !model) return;
    setBusy('Saving…');
    try {
      const p = await saveOne(currentItem, model, await ensureFolder());
      setSaved(p);
      notify('info', `Saved ${p}`);
    } catch (err) {
      notify('error', `Could not save ${currentItem.name}: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  /** Every image run with the current model so far, with its results at the current settings, as CSV or JSON. */
  const downloadResults = (kind: 'csv' | 'json'): void => {
    if (!model) return;
    const done = items.flatMap((it) => {
      const c = raws.current.get(it.key);
      return c && c.model === model ? [{ image: it.path ?? it.name, width: c.img.naturalWidth, height: c.img.naturalHeight, prediction: interpret(c.result) }] : [];
    });
    const file = imagesDetectionsFile(model.title, model.task, labelsOf(model), done);
    const stem = model.task === 'classify' ? 'classifications' : 'detections';
    if (kind === 'csv') downloadBlob(new Blob([detectionsFileCsv(file)], { type: 'text/csv' }), `${stem}.csv`);
    else downloadBlob(new Blob([detectionsFileJson(file)], { type: 'application/json' }), `${stem}.json`);
  };

  const runBatch = async (): Promise<void> => {
    if (!model || !items.length) return;
    cancelRef.current = false;
    setProgress({ done: 0, total: items.length });
    const failures: string[] = [];
    try {
      const outDir = await ensureFolder();
      for (const [i, item] of items.entries()) {
        if (cancelRef.current) break;
        try {
          await saveOne(item, model, outDir);
        } catch (err) {
          failures.push(`${item.name}: ${errorMessage(err)}`);
        }
        setProgress({ done: i + 1, total: items.length });
      }
      notify(failures.length ? 'error' : 'info', failures.length ? `Batch: ${failures.length} image(s) failed: ${failures.slice(0, 3).join('; ')}` : `Batch: saved ${items.length} annotated image(s)`);
    } catch (err) {
      notify('error', `Batch stopped: ${errorMessage(err)}`);
    } finally {
      setRawVersion((v) => v + 1);
    }
  };

  return (
    <div className="detect-mode image-mode" onDragOver={(e) => e.preventDefault()} onDrop={(e) => { e.preventDefault(); addFiles(e.dataTransfer.files); }}>
      <aside className="detect-side">
        <label className="button small file-button">
          <ImagePlus size={14} /> Open images…
          <input type="file" accept="image/*" multiple aria-label="Open images" onChange={(e) => { if (e.target.files) addFiles(e.target.files); e.target.value = ''; }} />
        </label>
        <div className="inline-field">
          <input aria-label="Image path" placeholder="image path inside a project" value={pathInput} onChange={(e) => setPathInput(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') addPath(); }} />
          <button type="button" className="button small" onClick={addPath}>Add</button>
        </div>
        {project ? (
          <div className="inline-field">
            <input aria-label="Project image search" placeholder="project images matching…" value={search} onChange={(e) => setSearch(e.target.value)} />
            <button type="button" className="button small" aria-label="Add project images" title="Add the project's images whose path matches (all when empty)" onClick={() => void addProjectImages()}>Add all</button>
          </div>
        ) : null}
        <ul className="detect-items" data-testid="image-items">
          {items.map((it) => (
            <li key={it.key} className={it.key === current ? 'active' : ''}>
              <button type="button" className="item-name" onClick={() => setCurrent(it.key)} title={it.path ?? it.name}>{it.name}</button>
              <button type="button" className="icon" aria-label={`Remove ${it.name}`} onClick={() => { setItems((p) => p.filter((x) => x.key !== it.key)); raws.current.delete(it.key); if (current === it.key) setCurrent(null); }}><X size={12} /></button>
            </li>
          ))}
        </ul>
        <p className="muted small">{items.length ? `${items.length} image(s)` : 'Drop images here, or open them.'}</p>
        {model?.task === 'detect' ? (
          <div className="inline-field" title="Tiled detection (SAHI-style) for small objects in large photos: overlapping tiles, each run at the model's input size, plus the whole image, merged by NMS">
            <label className="small">
              <input type="checkbox" aria-label="Tiles" checked={tileSize > 0} onChange={(e) => useDetect.getState().set({ tileSize: e.target.checked ? model.adapter.inputSize : 0 })} /> Tiles
            </label>
            {tileSize > 0 ? (
              <label className="small">
                of <input type="number" aria-label="Tile size" min={16} step={16} value={tileSize} onChange={(e) => { const v = Math.round(Number(e.target.value)); if (v >= 16) useDetect.getState().set({ tileSize: v }); }} /> px
              </label>
            ) : null}
          </div>
        ) : null}
        <label className="field">
          <span>Save to (empty: beside each image)</span>
          <input aria-label="Output folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/path/to/folder" />
        </label>
        <div className="row-buttons">
          <button type="button" className="button" disabled={!currentItem || !model || busy !== null} onClick={() => void saveCurrent()}><Save size={14} /> Save annotated</button>
          <button type="button" className="button" disabled={!items.length || !model || (progress !== null && progress.done < progress.total)} onClick={() => void runBatch()}><Play size={14} /> {verb} &amp; save all</button>
          <button type="button" className="button" disabled={!items.length || !model} title="every image run so far, at the current settings" onClick={() => downloadResults('csv')}><Download size={14} /> Results CSV</button>
          <button type="button" className="button" disabled={!items.length || !model} title="every image run so far, at the current settings (detecta predict's detections.json format)" onClick={() => downloadResults('json')}><Download size={14} /> JSON</button>
        </div>
        {!model || !items.length ? <p className="reason small" data-testid="image-actions-reason">{!model ? 'Load a model first.' : 'Open or add images first.'}</p> : null}
        {progress ? (
          <div className="progress-line" data-testid="batch-progress">
            <progress max={progress.total} value={progress.done} /> {progress.done} / {progress.total}
            {progress.done < progress.total ? <button type="button" className="button small" onClick={() => { cancelRef.current = true; }}>Cancel</button> : null}
          </div>
        ) : null}
        {saved ? <p className="muted small" data-testid="saved-path">Saved {saved}</p> : null}
      </aside>
      <section className="detect-stage">
        {currentItem ? (
          <canvas ref={canvasRef} className="stage-canvas" data-testid="image-canvas" data-detections={predictionCount(prediction)} data-tiles={cached?.result.task === 'detect' ? cached.result.tiles?.length ?? 0 : undefined} data-top={prediction.task === 'classify' ? prediction.top[0]?.className ?? '' : undefined} />
        ) : (
          <div className="stage-empty muted">{model ? `Open an image to ${verb.toLowerCase()} it.` : 'Load a model, then open images.'}</div>
        )}
        {busy ? <div className="stage-busy busy">{busy}</div> : null}
        {currentItem && !model && !busy ? <div className="stage-busy">Load a model (above) to {verb.toLowerCase()} on this image.</div> : null}
      </section>
      <aside className="detect-side right">
        {model ? <PredictionList prediction={prediction} model={model} /> : null}
      </aside>
    </div>
  );
}
