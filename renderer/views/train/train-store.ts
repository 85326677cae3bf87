/**
 * Train view state (zustand, module-level so leaving and reopening the view keeps it): the
 * project's runs, per-run curves (epoch records from metrics.csv + per-batch loss from
 * events.jsonl, then live events appended), logs and progress, the compare selection and the
 * active model. After a page reload everything is rebuilt from the run folders.
 */
import { create } from 'zustand';
import type { ActiveModel, RunDetail, RunSummary, StoredTrainerEvent } from '../../../shared/api';
import type { EpochMetrics, ProgressEvent } from '../../../shared/training/types';
import type { ClassifierEpochMetrics, ClassifierProgressEvent } from '../../../shared/training/classifier';
import { api } from '../../client';
import { classifyRecord, detectRecord, type MetricRecord } from './metric-records';
import { appendBatch, batchX, emptyBatch, plainLoss, upsertRecord, type BatchSeries } from './batch-series';
import { errorMessage } from '../../../shared/error-message';

export type { BatchSeries } from './batch-series';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  t: string | null;
}

/** The last progress event of a run: a detector's (loss parts) or a classifier's (loss, accuracy). */
export type RunProgress = ProgressEvent | ClassifierProgressEvent;

export interface RunLive {
  records: MetricRecord[];
  batch: BatchSeries;
  progress: RunProgress | null;
  logs: LogLine[];
  /** History from the run folder has been read. */
  loaded: boolean;
}

const MAX_LOGS = 2000;
const EVENTS_PAGE = 20_000;
const f3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));
/** One log line per finished epoch, like the trainer's console. */
export const epochLine = (e: EpochMetrics & { epochs?: number; best?: boolean }): string =>
  `epoch ${e.epoch}${e.epochs ? `/${e.epochs}` : ''}: train loss ${f3(e.train.total)}, val loss ${f3(e.val?.total)}, P ${f3(e.precision)}, R ${f3(e.recall)}, mAP50 ${f3(e.mAP50)}, mAP50-95 ${f3(e['mAP50-95'])}, lr ${e.lr.toExponential(2)}${e.best ? ' (best)' : ''}`;
/** A classifier epoch's log line. */
export const classifyEpochLine = (e: ClassifierEpochMetrics & { epochs?: number; best?: boolean }): string =>
  `epoch ${e.epoch}${e.epochs ? `/${e.epochs}` : ''}: train loss ${f3(e.train.loss)}, train accuracy ${f3(e.train.accuracy)}, val loss ${f3(e.val?.loss)}, val accuracy ${f3(e.val?.accuracy)}, lr ${e.lr.toExponential(2)}${e.best ? ' (best)' : ''}`;
type AnyEpoch = (EpochMetrics & { task?: 'detect'; epochs?: number; best?: boolean }) | (ClassifierEpochMetrics & { task: 'classify'; epochs?: number; best?: boolean });
const recordOf = (e: AnyEpoch): MetricRecord => (e.task === 'classify' ? classifyRecord(e) : detectRecord(e));
const lineOf = (e: AnyEpoch): string => (e.task === 'classify' ? classifyEpochLine(e) : epochLine(e));
const lossOf = (p: RunProgress) => (typeof p.loss === 'number' ? plainLoss(p.loss) : p.loss);
const emptyLive = (): RunLive => ({ records: [], batch: emptyBatch(), progress: null, logs: [], loaded: false });

interface TrainState {
  project: string | null;
  runs: RunSummary[];
  runsError: string | null;
  /** The run shown, or null for the new-run setup. */
  selected: string | null;
  details: Record<string, RunDetail>;
  live: Record<string, RunLive>;
  compare: string[];
  activeModel: ActiveModel | null;
  attach(project: string): () => void;
  refreshRuns(): Promise<void>;
  select(run: string | null): void;
  loadRun(run: string): Promise<void>;
  toggleCompare(run: string): void;
  /** A run this view just started: shown at once, listed as soon as its folder exists. */
  started(run: string): void;
  setActiveModel(a: ActiveModel | null): void;
}

/** Counts selections (user or automatic), so the first-run auto-selection never overrides a choice made meanwhile. */
let userChoices = 0;

export const useTrain = create<TrainState>()((set, get) => {
  const patchLive = (run: string, f: (l: RunLive) => Partial<RunLive>): void =>
    set((s) => {
      const cur = s.live[run] ?? emptyLive();
      return { live: { ...s.live, [run]: { ...cur, ...f(cur) } } };
    });
  const log = (run: string, line: LogLine): void => patchLive(run, (l) => ({ logs: [...l.logs, line].slice(-MAX_LOGS) }));
  const readDetail = (project: string, run: string): void => {
    void api.call('train.get', { project, run }).then(
      (detail) => { if (get().project === project) set((s) => ({ details: { ...s.details, [run]: detail } })); },
      (err: unknown) => set({ runsError: `Could not read run "${run}": ${errorMessage(err)}` }),
    );
  };
  /** A run's pushed state: its run-list entry replaced (or added); a new or ended run's detail read once. */
  const upsertRun = (summary: RunSummary & { project: string }): void => {
    const { project, ...entry } = summary;
    const known = get().runs.find((r) => r.name === entry.name);
    set((s) => ({ runs: known ? s.runs.map((r) => (r.name === entry.name ? entry : r)) : [...s.runs, entry] }));
    const ended = known && known.status !== entry.status && !entry.active;
    if (!known || ended || !get().details[entry.name]?.config) readDetail(project, entry.name);
  };
  let subscribed = false;
  /** Train events are handled at store level, once: a view that is not shown still gets every epoch. */
  const subscribe = (): void => {
    if (subscribed) return;
    subscribed = true;
    const mine = (p: { project: string }): boolean => p.project === get().project;
    api.on('train.progress', (p) => { if (mine(p)) patchLive(p.run, (l) => ({ progress: p, batch: appendBatch(l.batch, batchX(p), lossOf(p)) })); });
    api.on('train.epoch', (p) => {
      if (!mine(p)) return;
      patchLive(p.run, (l) => ({ records: upsertRecord(l.records, recordOf(p)) }));
      log(p.run, { level: 'info', message: lineOf(p), t: new Date().toISOString() });
    });
    api.on('train.log', (p) => { if (mine(p)) log(p.run, { level: p.level, message: p.message, t: new Date().toISOString() }); });
    api.on('train.finished', (p) => { if (mine(p)) log(p.run, { level: 'info', message: `run ${p.status} after ${p.epochsDone} epochs`, t: new Date().toISOString() }); });
    api.on('train.failed', (p) => { if (mine(p)) log(p.run, { level: 'error', message: `run failed: ${p.error}`, t: new Date().toISOString() }); });
    api.on('train.run', (p) => { if (mine(p)) upsertRun(p); });
    api.on('model.activeChanged', (p) => { if (mine(p)) set({ activeModel: p.active }); });
  };

  return {
    project: null,
    runs: [],
    runsError: null,
    selected: null,
    details: {},
    live: {},
    compare: [],
    activeModel: null,

    attach: (project) => {
      subscribe();
      if (get().project === project) {
        void get().refreshRuns(); // back to the view: one read, in case the connection dropped meanwhile
        return () => {};
      }
      set({ project, runs: [], selected: null, details: {}, live: {}, compare: [], activeModel: null, runsError: null });
      const choicesBefore = userChoices;
      void (async () => {
        await get().refreshRuns();
        const runs = get().runs;
        // show a run only if the user has not chosen meanwhile (e.g. clicked "New run" at once)
        if (get().selected === null && userChoices === choicesBefore && runs.length > 0) {
          const pick = runs.find((r) => r.active) ?? runs[runs.length - 1]!;
          get().select(pick.name);
        }
        try {
          set({ activeModel: await api.call('model.getActive', { project }) });
        } catch (err) {
          set({ runsError: `Could not read the active model: ${errorMessage(err)}` });
        }
      })();
      // the store keeps listening when the view is left (every epoch of every run is kept)
      return () => {};
    },

    refreshRuns: async () => {
      const project = get().project;
      if (!project) return;
      try {
        set({ runs: await api.call('train.list', { project }), runsError: null });
      } catch (err) {
        set({ runsError: `Could not list the runs: ${errorMessage(err)}` });
      }
    },

    select: (run) => {
      userChoices++;
      set({ selected: run });
      if (run !== null && !get().live[run]?.loaded) void get().loadRun(run);
    },

    loadRun: async (run) => {
      const project = get().project;
      if (!project) return;
      // log lines that arrive while the history is read are kept after it; earlier ones are in it
      const logsBefore = get().live[run]?.logs.length ?? 0;
      try {
        const readEvents = async (): Promise<{ events: StoredTrainerEvent[]; skipped: number }> => {
          const events: StoredTrainerEvent[] = [];
          let since = 0;
          let skipped = 0;
          for (;;) { // pages of events.jsonl until it is read to the end
            const page = await api.call('train.events', { project, run, since, limit: EVENTS_PAGE, types: ['progress', 'epoch', 'log', 'env', 'finished', 'failed'] });
            events.push(...page.events);
            skipped += page.skipped;
            if (page.next <= since || page.events.length < EVENTS_PAGE) return { events, skipped };
            since = page.next;
          }
        };
        const [detail, history] = await Promise.all([api.call('train.get', { project, run }), readEvents()]);
        let batch = emptyBatch();
        const logs: LogLine[] = [];
        let progress: RunProgress | null = null;
        for (const ev of history.events) {
          if (ev.type === 'progress') { batch = appendBatch(batch, batchX(ev.payload), lossOf(ev.payload)); progress = ev.payload; }
          else if (ev.type === 'epoch') logs.push({ level: 'info', message: lineOf(ev.payload), t: ev.t });
          else if (ev.type === 'log') logs.push({ level: ev.payload.level, message: ev.payload.message, t: ev.t });
          else if (ev.type === 'env') logs.push({ level: 'info', message: `backend ${ev.payload.backend}: ${ev.payload.device}`, t: ev.t });
          else if (ev.type === 'finished') logs.push({ level: 'info', message: `run ${ev.payload.status} after ${ev.payload.epochsDone} epochs`, t: ev.t });
          else if (ev.type === 'failed') logs.push({ level: 'error', message: `run failed: ${ev.payload.error}`, t: ev.t });
        }
        if (history.skipped > 0) logs.push({ level: 'warn', message: `${history.skipped} unreadable lines in events.jsonl were skipped`, t: null });
        set((s) => {
          const cur = s.live[run] ?? emptyLive();
          // live points that arrived while the history was read come after it
          let merged = batch;
          cur.batch.x.forEach((x, i) => {
            if (x > (merged.x.at(-1) ?? -Infinity)) merged = appendBatch(merged, x, { total: cur.batch.total[i]!, box: cur.batch.box[i]!, obj: cur.batch.obj[i]!, noobj: cur.batch.noobj[i]!, cls: cur.batch.cls[i]!, dfl: cur.batch.dfl[i]! });
          });
          let records = detail.classifierMetrics ? detail.classifierMetrics.map(classifyRecord) : (detail.metrics as EpochMetrics[]).map(detectRecord);
          for (const r of cur.records) records = upsertRecord(records, r);
          const liveProgress = cur.progress && (!progress || batchX(cur.progress) >= batchX(progress)) ? cur.progress : progress;
          return {
            details: { ...s.details, [run]: detail },
            live: { ...s.live, [run]: { records, batch: merged, progress: liveProgress, logs: [...logs, ...cur.logs.slice(Math.min(logsBefore, cur.logs.length))].slice(-MAX_LOGS), loaded: true } },
          };
        });
      } catch (err) {
        set({ runsError: `Could not read run "${run}": ${errorMessage(err)}` });
      }
    },

    toggleCompare: (run) => {
      const on = get().compare.includes(run);
      set({ compare: on ? get().compare.filter((r) => r !== run) : [...get().compare, run] });
      if (!on && !get().live[run]?.loaded) void get().loadRun(run);
    },

    setActiveModel: (activeModel) => set({ activeModel }),

    started: (run) => {
      // shown at once; the run-list entry arrives with the run's first state push (train.run)
      patchLive(run, () => ({ loaded: true }));
      set({ selected: run });
    },
  };
});
