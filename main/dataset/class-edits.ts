/**
 * Class changes that rewrite annotation files: rename (in place, journaled in
 * `.detecta/class-rename.json` so a crash is finished on the next open), delete and merge (all
 * files or none, undoable while the files are as they were left), and the per-class usage counts.
 * Each file is rewritten through the annotation store (atomic, with backups, under its lock);
 * the class list itself is ProjectConfigStore's. (A little over 300 lines: the rename journal,
 * the all-or-nothing rewrite and its undo share their file handling and belong together.)
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { ClassChangeResult } from '../../shared/api/dataset';
import type { ClassUsage, ProjectConfig } from '../../shared/dataset/types';
import { classNameProblem, mergeClasses, removeClass, renameClass } from '../../shared/dataset/classes';
import { errorMessage } from '../../shared/error-message';
import { parseVocXml, serializeVocXml, type VocAnnotation, type VocObject } from '../../shared/voc';
import type { AnnotationStore } from './annotation-store';
import { writeFileAtomic } from './atomic-write';
import { assertWriteInside } from './confine';
import { errnoOf, fsApiError } from './fs-errors';
import type { ImageIndex } from './image-index';
import { applyParsed } from './index-entry';
import type { StoredProjectConfig } from './project-config';
import type { ProjectConfigStore } from './project-config-store';
import { readXmlFile } from './xml-file';

export interface ClassEditsDeps {
  root: string;
  index: ImageIndex;
  store: AnnotationStore;
  config: ProjectConfigStore;
  /** Resolves when the background parse of annotation files is finished. */
  ready(): Promise<void>;
  /** Writes every pending autosave now. */
  flush(): Promise<void>;
  /** Files were rewritten: these images changed. */
  saved(imageIds: string[]): void;
}

interface RewriteResult {
  files: { imageId: string; path: string; before: string; after: string }[];
  boxes: number;
}

interface ClassUndo {
  name: string;
  index: number;
  defaultClass: string | null;
  color: string | undefined;
  files: RewriteResult['files'];
}

/** `.detecta/class-rename.json`: a class rename in progress (removed when it is done). */
interface ClassJournal { op: 'rename'; from: string; to: string }

const isSameRename = (j: ClassJournal | null, from: string, to: string): boolean => j !== null && j.from === from && j.to === to;

export class ClassEdits {
  /** Recent deleteClass/mergeClass changes that can still be undone, by undo id. */
  private readonly classUndo = new Map<string, ClassUndo>();
  private undoSeq = 0;

  constructor(private readonly d: ClassEditsDeps) {}

  private get cfg(): Readonly<StoredProjectConfig> {
    return this.d.config.current;
  }

  /**
   * Renames a class in place (its id does not change) and rewrites every readable annotation
   * file that uses the old name (atomically, with backups). Unreadable files are left alone.
   */
  async renameClass(from: string, to: string): Promise<{ classes: string[]; filesRewritten: number }> {
    const { index, store, config } = this.d;
    const p = classNameProblem(to);
    if (p) throw new ApiError('bad_request', p);
    // Finishing a rename a crash interrupted (its journal names the same two classes) is allowed
    // although "to" may already be listed; it takes the place of "from".
    const resuming = isSameRename(await this.readClassJournal(), from, to);
    const current = resuming && this.cfg.classes.includes(from) ? this.cfg.classes.filter((c) => c !== to) : this.cfg.classes;
    let classes: string[];
    try {
      classes = resuming && !current.includes(from) ? [...current] : renameClass(current, from, to);
    } catch (err) {
      const msg = errorMessage(err);
      throw new ApiError(msg.startsWith('no class') ? 'not_found' : 'conflict', msg);
    }
    if (!resuming) await this.d.ready();
    await this.d.flush();
    // the journal first: a crash from here on is finished on the next open
    await assertWriteInside(this.d.root, this.classJournalPath);
    await writeFileAtomic(this.classJournalPath, JSON.stringify({ op: 'rename', from, to } satisfies ClassJournal) + '\n');
    let filesRewritten = 0;
    const failures: string[] = [];
    const affected = [...index.items()].filter((it) => it.entry.status === 'labeled' && it.entry.classes.includes(from));
    for (const item of affected) {
      try {
        await store.withLock(item.location.path, async () => {
          const voc = await store.readVoc(item);
          if (!voc) return;
          const next: VocAnnotation = { ...voc.ann, objects: voc.ann.objects.map((o) => (o.name === from ? { ...o, name: to } : o)) };
          const text = serializeVocXml(next);
          if (text !== voc.text) {
            await store.writeOwned(item.location.path, text, voc.text);
            filesRewritten++;
          }
          applyParsed(item, { ann: next });
        });
      } catch (err) {
        failures.push(errorMessage(err));
      }
    }
    await config.update({
      classes,
      defaultClass: this.cfg.defaultClass === from ? to : this.cfg.defaultClass,
      ...renamedColorAndMappings(this.cfg, from, to),
    });
    if (!failures.length) await rm(this.classJournalPath, { force: true });
    if (failures.length) {
      throw new ApiError('io', `renamed "${from}" to "${to}" in ${filesRewritten} files, but ${failures.length} failed: ${failures.slice(0, 5).join('; ')}`, { failures });
    }
    return { classes: [...classes], filesRewritten };
  }

  private get classJournalPath(): string {
    return join(this.d.root, '.detecta', 'class-rename.json');
  }

  private async readClassJournal(): Promise<ClassJournal | null> {
    let text: string;
    try {
      text = await readFile(this.classJournalPath, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw fsApiError(err, this.classJournalPath, 'cannot read');
    }
    const j = (() => { try { return JSON.parse(text) as Partial<ClassJournal>; } catch { return null; } })();
    if (j?.op !== 'rename' || typeof j.from !== 'string' || typeof j.to !== 'string') {
      throw new ApiError('unreadable', `${this.classJournalPath} is not a class-rename journal; remove it after checking the class names in your files`);
    }
    return j as ClassJournal;
  }

  /** Finishes a class rename that a crash interrupted (files half rewritten, project.json not yet). */
  async resumeClassRename(): Promise<void> {
    try {
      const j = await this.readClassJournal();
      if (j) await this.renameClass(j.from, j.to);
    } catch (err) {
      console.warn(`[project] ${this.d.root}: could not finish renaming a class after a crash: ${errorMessage(err)}`);
      this.d.index.addProblem({ file: '.detecta/class-rename.json', reason: `an interrupted class rename could not be finished: ${errorMessage(err)}` });
    }
  }

  /**
   * Accepted boxes, images and drafts per class: the project's classes first (in order), then
   * names only found in files. From the index (kept current by every save, class edit and disk
   * change), so it costs no file reads.
   */
  async classUsage(): Promise<ClassUsage[]> {
    await this.d.ready();
    const by = new Map<string, ClassUsage>(this.cfg.classes.map((name) => [name, { name, boxes: 0, images: 0, drafts: 0 }]));
    for (const item of this.d.index.items()) {
      if (item.entry.status !== 'labeled' || !item.counts) continue;
      for (const [name, c] of item.counts) {
        let u = by.get(name);
        if (!u) { u = { name, boxes: 0, images: 0, drafts: 0 }; by.set(name, u); }
        u.boxes += c.boxes;
        u.drafts += c.drafts;
        if (c.boxes > 0) u.images++;
      }
    }
    return [...by.values()];
  }

  /**
   * Deletes a class: every box of it (drafts included) leaves every readable annotation file
   * (each file rewritten atomically, with a backup of versions this session did not write), then
   * the name leaves project.json. Later classes move up one id. `undoId` puts it all back
   * (`undoClassChange`) while the files are as this left them.
   */
  async deleteClass(name: string): Promise<ClassChangeResult> {
    let classes: string[];
    try {
      classes = removeClass(this.cfg.classes, name);
    } catch (err) {
      throw new ApiError('not_found', errorMessage(err));
    }
    const index = this.cfg.classes.indexOf(name);
    const r = await this.rewriteObjects((o) => o.name === name, (objs) => objs.filter((o) => o.name !== name), `delete "${name}"`);
    const colors = { ...(this.cfg.classColors ?? {}) };
    delete colors[name];
    const before = { defaultClass: this.cfg.defaultClass, color: this.cfg.classColors?.[name] };
    await this.d.config.update({ classes, defaultClass: this.cfg.defaultClass === name ? null : this.cfg.defaultClass, classColors: colors });
    return this.recordUndo({ name, index, ...before }, r, classes);
  }

  /** Merges class `from` into `into`: every box of `from` becomes `into`, then `from` leaves the list (undoable like deleteClass). */
  async mergeClass(from: string, into: string): Promise<ClassChangeResult> {
    let classes: string[];
    try {
      classes = mergeClasses(this.cfg.classes, from, into);
    } catch (err) {
      const msg = errorMessage(err);
      throw new ApiError(msg.startsWith('no class') ? 'not_found' : 'bad_request', msg);
    }
    const index = this.cfg.classes.indexOf(from);
    const r = await this.rewriteObjects((o) => o.name === from, (objs) => objs.map((o) => (o.name === from ? { ...o, name: into } : o)), `merge "${from}" into "${into}"`);
    const colors = { ...(this.cfg.classColors ?? {}) };
    delete colors[from];
    const before = { defaultClass: this.cfg.defaultClass, color: this.cfg.classColors?.[from] };
    await this.d.config.update({ classes, defaultClass: this.cfg.defaultClass === from ? into : this.cfg.defaultClass, classColors: colors });
    return this.recordUndo({ name: from, index, ...before }, r, classes);
  }

  /**
   * Undoes a deleteClass or mergeClass: files still as that change wrote them get their previous
   * text back (atomically); a file changed since is left alone and listed in `skipped`. The class
   * returns to its old place in the list.
   */
  async undoClassChange(undoId: string): Promise<{ classes: string[]; filesRestored: number; skipped: string[] }> {
    const { index, store } = this.d;
    const u = this.classUndo.get(undoId);
    if (!u) throw new ApiError('not_found', 'nothing to undo: that class change is no longer remembered (the project was reopened or it was already undone)');
    this.classUndo.delete(undoId);
    await this.d.flush();
    // the class goes back to its place first, so the restored files do not append it at the end
    const classes = this.cfg.classes.includes(u.name) ? [...this.cfg.classes] : [...this.cfg.classes.slice(0, u.index), u.name, ...this.cfg.classes.slice(u.index)];
    const patch: Partial<ProjectConfig> = { classes };
    if (u.defaultClass === u.name) patch.defaultClass = u.name;
    if (u.color) patch.classColors = { ...(this.cfg.classColors ?? {}), [u.name]: u.color };
    await this.d.config.update(patch);
    let filesRestored = 0;
    const skipped: string[] = [];
    for (const f of u.files) {
      const item = index.find(f.imageId);
      if (!item || item.location.path !== f.path) { skipped.push(f.path); continue; }
      await store.withLock(f.path, async () => {
        const abs = join(this.d.root, ...f.path.split('/'));
        const now = await readXmlFile(abs, f.path).then((file) => file.text, () => null); // gone or unreadable: skipped below
        if (now !== f.after) { skipped.push(f.path); return; }
        await store.writeOwned(f.path, f.before, now);
        filesRestored++;
        item.entry.status = 'pending';
        await index.parsePending('disk', [f.imageId]);
      });
    }
    return { classes: [...this.cfg.classes], filesRestored, skipped };
  }

  /** Rewrites the objects of every readable file holding an object that `touches`; failures are collected, never half-written. */
  private async rewriteObjects(touches: (o: VocObject) => boolean, edit: (objs: VocObject[]) => VocObject[], what: string): Promise<RewriteResult> {
    const { index, store } = this.d;
    await this.d.ready();
    await this.d.flush();
    const files: RewriteResult['files'] = [];
    const failures: string[] = [];
    let boxes = 0;
    for (const item of [...index.items()]) {
      const id = item.entry.id;
      if (item.entry.status !== 'labeled' || item.entry.boxes === 0) continue;
      try {
        await store.withLock(item.location.path, async () => {
          const voc = await store.readVoc(item);
          if (!voc) return;
          const hits = voc.ann.objects.filter(touches).length;
          if (!hits) return;
          const next: VocAnnotation = { ...voc.ann, objects: edit(voc.ann.objects) };
          const text = serializeVocXml(next);
          await store.writeOwned(item.location.path, text, voc.text);
          applyParsed(item, { ann: next });
          files.push({ imageId: id, path: item.location.path, before: voc.text, after: text });
          boxes += hits;
        });
      } catch (err) {
        failures.push(`${item.location.path}: ${errorMessage(err)}`);
      }
    }
    if (failures.length) {
      // all or nothing: put back the files already rewritten, so boxes and the class list agree
      const stuck: string[] = [];
      for (const f of files) {
        try {
          await store.withLock(f.path, async () => {
            await store.writeOwned(f.path, f.before, f.after);
            const item = index.find(f.imageId);
            if (item) applyParsed(item, { ann: parseVocXml(f.before, f.path) });
          });
        } catch (err) {
          stuck.push(`${f.path}: ${errorMessage(err)}`);
        }
      }
      if (files.length) this.d.saved(files.map((f) => f.imageId));
      const tail = stuck.length ? `; ${stuck.length} file(s) could not be put back: ${stuck.slice(0, 5).join('; ')}` : '; nothing was changed';
      throw new ApiError('io', `could not ${what}: ${failures.length} file(s) failed (${failures.slice(0, 5).join('; ')})${tail}`, { failures, stuck });
    }
    if (files.length) this.d.saved(files.map((f) => f.imageId));
    return { files, boxes };
  }

  private recordUndo(u: Omit<ClassUndo, 'files'>, r: RewriteResult, classes: string[]): ClassChangeResult {
    const undoId = `u${++this.undoSeq}`;
    this.classUndo.set(undoId, { ...u, files: r.files });
    // a few recent changes are enough to undo; older ones would pin every file's text in memory
    while (this.classUndo.size > 5) this.classUndo.delete(this.classUndo.keys().next().value!);
    return { classes: [...classes], boxesChanged: r.boxes, filesRewritten: r.files.length, undoId };
  }
}

/** A renamed class keeps its colour, and model mappings onto it follow the new name. */
function renamedColorAndMappings(config: Readonly<StoredProjectConfig>, from: string, to: string): Partial<ProjectConfig> {
  const out: Partial<ProjectConfig> = {};
  const color = config.classColors?.[from];
  if (color) {
    const colors = { ...config.classColors };
    delete colors[from];
    colors[to] = color;
    out.classColors = colors;
  }
  if (config.classMappings) {
    out.classMappings = Object.fromEntries(Object.entries(config.classMappings).map(([m, map]) => [m, Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v === from ? to : v]))]));
  }
  return out;
}
