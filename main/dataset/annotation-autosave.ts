/**
 * Autosave of annotation edits: each edit is first appended to the pending-edit journal
 * (edit-journal.ts, so an acknowledged edit survives a crash), then saved after a debounce
 * (autosave.ts: the last edit of an image within the delay wins). Progress goes out as
 * 'dataset.saveState' events; the 'saved'/'unchanged' one carries the saved annotation, every
 * box with its id, so an editor learns the ids without reading the file again. A stale edit (the
 * file changed elsewhere) is reported as a conflict and left to the user; any other failure stays
 * in the journal and is replayed on the next open (`replay`).
 */
import { ApiError } from '../../shared/api/contract';
import type { DatasetEvents, SaveResult } from '../../shared/api/dataset';
import type { AnnotationEdit } from '../../shared/dataset/types';
import { errorMessage } from '../../shared/error-message';
import { Debouncer } from './autosave';
import { EditJournal } from './edit-journal';

type SaveStateEvent = DatasetEvents['dataset.saveState'];

export class AnnotationAutosave {
  private readonly debouncer: Debouncer<{ edit: AnnotationEdit; seq: number }>;
  private readonly journal: EditJournal;

  constructor(
    private readonly root: string,
    delayMs: number,
    private readonly save: (imageId: string, edit: AnnotationEdit) => Promise<SaveResult>,
    private readonly emit: (event: SaveStateEvent) => void,
  ) {
    this.debouncer = new Debouncer(delayMs, (id, pending) => this.run(id, pending));
    this.journal = new EditJournal(root);
  }

  /** Schedules a debounced save; resolves once the edit is in the journal. The caller checks the image exists. */
  async schedule(imageId: string, edit: AnnotationEdit): Promise<void> {
    const seq = await this.journal.record(imageId, edit);
    this.debouncer.schedule(imageId, { edit, seq });
    this.emit({ project: this.root, imageId, state: 'pending' });
  }

  private async run(imageId: string, pending: { edit: AnnotationEdit; seq: number }): Promise<void> {
    // whose edit and which one: an editor tells its own saves from other windows' and knows what a save covers
    const revision = {
      ...(pending.edit.client !== undefined ? { client: pending.edit.client } : {}),
      ...(pending.edit.revision !== undefined ? { revision: pending.edit.revision } : {}),
    };
    this.emit({ project: this.root, imageId, state: 'saving', ...revision });
    try {
      const r = await this.save(imageId, pending.edit);
      await this.journal.saved(imageId, pending.seq);
      this.emit({ project: this.root, imageId, state: r.state, annotation: r.annotation, ...revision });
    } catch (err) {
      const conflict = err instanceof ApiError && err.code === 'conflict' && (err.details as { reason?: string } | undefined)?.reason === 'stale'
        ? { version: (err.details as { version: string | null }).version }
        : undefined;
      if (conflict) await this.journal.saved(imageId, pending.seq); // a stale edit is the user's to resolve, not to replay
      // otherwise the edit stays in the journal: the next open tries it again
      this.emit({ project: this.root, imageId, state: 'error', error: errorMessage(err), ...revision, ...(conflict ? { conflict } : {}) });
    }
  }

  /** Saves the edits a crash left in the journal (the last one of each image), then empties it. */
  async replay(): Promise<void> {
    const edits = await this.journal.leftovers();
    if (!edits.size) return;
    for (const [imageId, edit] of edits) {
      try {
        await this.save(imageId, edit);
      } catch (err) {
        console.warn(`[project] ${this.root}: an edit of ${imageId} from before a crash could not be saved (${errorMessage(err)}); it was: ${JSON.stringify(edit)}`);
      }
    }
    await this.journal.discard();
  }

  /** Writes every pending autosave now. */
  flush(): Promise<void> {
    return this.debouncer.flush();
  }

  /** Waits for edits still being journaled, saves everything pending, closes the journal. */
  async close(): Promise<void> {
    await this.journal.idle(); // autosaves still being journaled get scheduled, then flushed
    await this.debouncer.flush();
    await this.journal.close();
  }
}
