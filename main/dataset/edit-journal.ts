/**
 * The pending-edit journal: an autosave is acknowledged only once its edit is on disk in
 * `.detecta/pending-edits.jsonl` (appended and flushed), so an edit the user saw drawn survives a
 * crash during the autosave delay. When every recorded edit has been saved the journal is
 * emptied; a project opened with a non-empty journal replays the last edit of each image.
 */
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationEdit } from '../../shared/dataset/types';
import { errnoOf, fsApiError } from './fs-errors';
import { makeDirs } from './make-dirs';
import { assertWriteInside } from './confine';

export const JOURNAL_FILE = 'pending-edits.jsonl';

interface Entry { imageId: string; edit: AnnotationEdit }

export class EditJournal {
  private readonly file: string;
  private fh: FileHandle | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private seq = 0;
  /** Image id → sequence number of its latest recorded edit not yet saved. */
  private readonly outstanding = new Map<string, number>();

  constructor(private readonly root: string) {
    this.file = join(root, '.detecta', JOURNAL_FILE);
  }

  /** Appends an edit and flushes it to disk; resolves with its sequence number. */
  record(imageId: string, edit: AnnotationEdit): Promise<number> {
    const seq = ++this.seq;
    this.outstanding.set(imageId, seq); // at once: a clear queued meanwhile must see it
    return this.enqueue(async () => {
      const fh = await this.handle();
      await fh.appendFile(`${JSON.stringify({ imageId, edit } satisfies Entry)}\n`);
      await fh.datasync();
      return seq;
    });
  }

  /** Marks edit `seq` of `imageId` saved; empties the journal once nothing recorded is unsaved. */
  saved(imageId: string, seq: number): Promise<void> {
    if (this.outstanding.get(imageId) === seq) this.outstanding.delete(imageId);
    return this.enqueue(async () => {
      if (this.outstanding.size > 0 || !this.fh) return;
      await this.fh.truncate(0);
      await this.fh.datasync();
    });
  }

  /** Resolves when every record and clear asked for so far is done. */
  idle(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /** Closes the file; removes it when nothing is outstanding. A journal this instance never wrote is left alone. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.fh) return;
      await this.fh.close();
      this.fh = null;
      if (this.outstanding.size === 0) await rm(this.file, { force: true });
    });
  }

  /** The last journaled edit of each image, from a journal a crash left behind (empty when none). */
  async leftovers(): Promise<Map<string, AnnotationEdit>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return new Map();
      throw fsApiError(err, this.file, 'cannot read the pending-edit journal');
    }
    const edits = new Map<string, AnnotationEdit>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as Entry;
        if (typeof e.imageId === 'string' && Array.isArray(e.edit?.boxes)) edits.set(e.imageId, e.edit);
      } catch {
        // the line a crash cut short: its edit was never acknowledged
      }
    }
    return edits;
  }

  /** Forgets a replayed journal (after its edits were saved). */
  async discard(): Promise<void> {
    await this.enqueue(async () => {
      await this.fh?.truncate(0);
      if (!this.fh) await rm(this.file, { force: true });
    });
  }

  private async handle(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    await assertWriteInside(this.root, this.file);
    await makeDirs(join(this.root, '.detecta'));
    this.fh = await open(this.file, 'a').catch((err: unknown) => { throw fsApiError(err, this.file, 'cannot write the pending-edit journal'); });
    return this.fh;
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.chain.then(step, step);
    this.chain = run.catch(() => undefined); // a failed step is the caller's to report; the next one still runs
    return run;
  }
}
