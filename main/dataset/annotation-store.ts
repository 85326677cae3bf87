/**
 * AnnotationStore: reading and writing a project's VOC annotation files. Writes are serialised
 * per file (`withLock`), atomic (temp + rename), never of an unchanged file, never over an
 * unreadable one; before a file this session did not write is overwritten its previous version
 * goes to `.detecta/backups/` (backup.ts). A save names the version it was made on and is
 * refused when the file changed since (optimistic concurrency). Every saved box gets its id.
 * Debounced saves with their crash journal are annotation-autosave.ts'.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { SaveResult } from '../../shared/api/dataset';
import type { AnnotationEdit, BoxAnnotation, ImageAnnotation, ImageEntry, ImageSize } from '../../shared/dataset/types';
import { appendClasses } from '../../shared/dataset/classes';
import { withBoxIds } from '../../shared/dataset/box-id';
import { errorMessage } from '../../shared/error-message';
import { serializeVocXml, toIntegerBox, type VocAnnotation } from '../../shared/voc';
import { readAnnotationFile, type ParsedAnnotationFile } from './annotation-file';
import { writeFileAtomic } from './atomic-write';
import { backupFile, restoreBackup } from './backup';
import { fsApiError } from './fs-errors';
import { assertWriteInside } from './confine';
import { readImageInfo, type ImageInfo } from './image-header';
import type { ImageIndex } from './image-index';
import { applyParsed, type IndexedImage } from './index-entry';
import type { ProjectConfigStore } from './project-config-store';
import { applyBoxes, isDraftObject, normaliseBoxes, objectKeys, objectTrack, vocToBoxes } from './voc-boxes';
import { encodeXmlText, readXmlFile } from './xml-file';

const toPosix = (p: string) => p.split(sep).join('/');

export class AnnotationStore {
  /** Per annotation file: the client whose save wrote its current version (see checkVersion). */
  private readonly lastWriter = new Map<string, { client: string; version: string }>();
  /** Content of files this session wrote (relative path → text): no backup of our own versions,
   *  and the watcher ignores the change events of our writes. */
  private readonly written = new Map<string, string>();
  private readonly imageInfo = new Map<string, ImageInfo>();
  /** Serialises writes per file. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly root: string,
    private readonly index: ImageIndex,
    private readonly config: ProjectConfigStore,
    /** Files were saved: these images changed ('dataset.changed' with reason 'save'). */
    private readonly saved: (imageIds: string[]) => void,
  ) {}

  /** Runs `fn` after every earlier write of the same file (relative path) is done. */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /** True when the file at this relative path holds exactly what this session last wrote there. */
  async isOwnWrite(relPath: string): Promise<boolean> {
    if (!this.written.has(relPath)) return false;
    const now = await readXmlFile(join(this.root, relPath), relPath).then((file) => file.text, () => null); // gone or unreadable: a change
    return now === this.written.get(relPath);
  }

  /** Forgets the cached size of an image (it changed on disk). */
  invalidate(imageId: string): void {
    this.imageInfo.delete(imageId);
  }

  /** Writes a file atomically, keeping a backup when it replaces content we did not write. Returns the backup's relative path. */
  async writeOwned(relPath: string, text: string, current: string | null): Promise<string | undefined> {
    const abs = join(this.root, ...relPath.split('/'));
    await assertWriteInside(this.root, abs);
    let backup: string | undefined;
    if (current !== null && this.written.get(relPath) !== current) {
      backup = toPosix(relative(this.root, (await backupFile(this.root, abs))!));
    }
    this.written.set(relPath, text);
    try {
      await writeFileAtomic(abs, encodeXmlText(text));
    } catch (err) {
      this.written.delete(relPath);
      throw err;
    }
    return backup;
  }

  /** Image size with EXIF orientation applied (cached); null with a warning when undecodable. */
  async imageSize(imageId: string, warnings: string[]): Promise<{ size: ImageSize | null; info: ImageInfo | null }> {
    let info = this.imageInfo.get(imageId);
    if (!info) {
      try {
        info = await readImageInfo(this.index.resolveImage(imageId));
        this.imageInfo.set(imageId, info);
      } catch (err) {
        warnings.push(errorMessage(err));
        return { size: null, info: null };
      }
    }
    const size: ImageSize = { width: info.width, height: info.height };
    if (info.depth !== undefined) size.depth = info.depth;
    return { size, info };
  }

  /** Reads this image's annotation file; null when there is none. Throws 'unreadable' (and marks the entry so). */
  async readVoc(item: IndexedImage): Promise<ParsedAnnotationFile | null> {
    if (!item.location.exists || item.entry.annotation === null) return null;
    try {
      return await readAnnotationFile(this.root, item.location.path);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') return null;
      const reason = errorMessage(err);
      applyParsed(item, { error: reason });
      throw new ApiError('unreadable', `${reason} (the file is left untouched)`, { file: item.location.path });
    }
  }

  async getAnnotation(imageId: string): Promise<ImageAnnotation> {
    const item = this.index.item(imageId);
    const warnings: string[] = [];
    if (item.location.conflict) warnings.push(item.location.conflict);
    const { size } = await this.imageSize(imageId, warnings);
    const voc = await this.readVoc(item);
    if (voc) {
      applyParsed(item, voc);
      warnings.push(...(voc.ann.warnings ?? []).map((w) => `${item.location.path}: ${w}`));
      if (size && voc.ann.size && (voc.ann.size.width !== size.width || voc.ann.size.height !== size.height)) {
        warnings.push(`${item.location.path}: <size> says ${voc.ann.size.width}x${voc.ann.size.height}, the image is ${size.width}x${size.height}`);
      }
    }
    return {
      imageId,
      annotationPath: item.location.path,
      exists: voc !== null,
      verified: voc?.ann.verified ?? false,
      size: size ?? (voc?.ann.size ? { ...voc.ann.size } : null),
      boxes: voc ? vocToBoxes(voc.ann) : [],
      warnings,
      version: voc ? versionOf(voc.text) : null,
    };
  }

  /** Every labeled image with its parsed annotation, in index order (unreadable files are skipped: validate reports them). */
  async *annotations(): AsyncGenerator<{ entry: ImageEntry; ann: VocAnnotation }> {
    for (const item of this.index.items()) {
      if (item.entry.status !== 'labeled') continue;
      let voc: { ann: VocAnnotation } | null;
      try {
        voc = await this.readVoc(item);
      } catch (err) {
        void err; // readVoc marked the entry unreadable; validate() and the summary report it
        continue;
      }
      if (voc) yield { entry: item.entry, ann: voc.ann };
    }
  }

  /**
   * Saves one image's boxes now (see AnnotationEdit). Writes nothing when nothing changed.
   * @throws ApiError bad_request (a box without area, a bad class name), conflict (the file is
   *         shared with another image), unreadable (the existing file cannot be parsed: it is
   *         never overwritten), io/forbidden (the write failed; the old file is intact).
   */
  saveAnnotation(imageId: string, edit: AnnotationEdit): Promise<SaveResult> {
    const item = this.index.item(imageId);
    return this.withLock(item.location.path, () => this.save(item, edit));
  }

  private async save(item: IndexedImage, edit: AnnotationEdit): Promise<SaveResult> {
    const imageId = item.entry.id;
    if (item.location.conflict) throw new ApiError('conflict', `cannot save ${imageId}: ${item.location.conflict}`, { imageId });
    const warnings: string[] = [];
    const { size: imageSize } = await this.imageSize(imageId, warnings);
    const voc = await this.readVoc(item); // throws 'unreadable' for a broken file
    const size = imageSize ?? voc?.ann.size ?? null;
    this.checkVersion(item, voc?.text ?? null, edit);
    const boxes = normaliseBoxes(edit.boxes, size, imageId);
    // Drafts keep the model's class without adding it: a class joins the list when a box of it is accepted.
    const newClasses = boxes.filter((b) => !b.draft).map((b) => b.label).filter((l) => !this.config.classes.includes(l));

    let state: SaveResult['state'] = 'saved';
    let backup: string | undefined;
    let written: string | null = null;
    // every box gets its id now: the caller's (kept), or a new one for a box that has none
    const saved = withBoxIds(boxes);
    if (voc && sameContent(voc.ann, boxes, edit.verified)) {
      state = 'unchanged';
    } else {
      const abs = this.index.resolveImage(imageId);
      const next = applyBoxes(voc?.ann ?? null, saved, edit.verified, {
        folder: basename(dirname(abs)),
        filename: item.entry.name,
        path: abs,
        size,
      });
      const text = serializeVocXml(next);
      if (voc?.text === text) state = 'unchanged';
      else {
        backup = await this.writeOwned(item.location.path, text, voc?.text ?? null);
        written = text;
        if (edit.client !== undefined) this.lastWriter.set(item.location.path, { client: edit.client, version: versionOf(text) });
        else this.lastWriter.delete(item.location.path);
      }
      if (state === 'saved') {
        item.location = { ...item.location, exists: true };
        applyParsed(item, { ann: next });
      }
    }
    if (newClasses.length) await this.config.update({ classes: appendClasses(this.config.classes, newClasses) });
    if (state === 'saved') this.saved([imageId]);
    const annotation: ImageAnnotation = {
      imageId,
      annotationPath: item.location.path,
      exists: item.location.exists,
      verified: edit.verified,
      size,
      boxes: state === 'unchanged' && voc ? vocToBoxes(voc.ann) : saved,
      warnings,
      version: written !== null ? versionOf(written) : voc ? versionOf(voc.text) : null,
    };
    const result: SaveResult = { state, annotation, entry: this.index.getImage(imageId) };
    if (backup) result.backup = backup;
    return result;
  }

  /**
   * Optimistic concurrency: an edit that names the version it was made on is refused when the
   * file changed since, unless the change is this same client's own earlier save.
   */
  private checkVersion(item: IndexedImage, currentText: string | null, edit: AnnotationEdit): void {
    if (edit.baseVersion === undefined) return;
    const current = currentText === null ? null : versionOf(currentText);
    if (current === edit.baseVersion) return;
    const last = this.lastWriter.get(item.location.path);
    if (edit.client !== undefined && last?.client === edit.client && last.version === current) return;
    throw new ApiError('conflict', `${item.entry.id} was changed elsewhere (another window or program) since you started this edit: reload it, or keep your version`, { imageId: item.entry.id, reason: 'stale', version: current });
  }

  /**
   * Removes this image's annotation file (the image is unlabeled again), when it is still at
   * `baseVersion`; a file this session did not write is backed up first. No file: nothing to do.
   * @throws ApiError conflict (changed since, or shared with another image), unreadable (left untouched).
   */
  async removeAnnotation(imageId: string, baseVersion: string): Promise<ImageAnnotation> {
    const item = this.index.item(imageId);
    await this.withLock(item.location.path, async () => {
      if (item.location.conflict) throw new ApiError('conflict', `cannot remove the annotation of ${imageId}: ${item.location.conflict}`, { imageId });
      const voc = await this.readVoc(item);
      if (!voc) return;
      this.checkVersion(item, voc.text, { boxes: [], verified: false, baseVersion });
      const rel = item.location.path;
      const abs = join(this.root, ...rel.split('/'));
      await assertWriteInside(this.root, abs);
      if (this.written.get(rel) !== voc.text) await backupFile(this.root, abs);
      await rm(abs).catch((err: unknown) => { throw fsApiError(err, abs, 'cannot remove'); });
      this.written.delete(rel);
      this.lastWriter.delete(rel);
      item.location = { ...item.location, exists: false };
      Object.assign(item.entry, { annotation: null, status: 'unlabeled', verified: false, boxes: 0, classes: [], difficult: false });
      item.accepted = [];
      item.counts = new Map();
      this.saved([imageId]);
    });
    return this.getAnnotation(imageId);
  }

  /** Puts the backup of this image's annotation back (the current file becomes the backup). */
  async restoreBackup(imageId: string): Promise<ImageAnnotation> {
    const item = this.index.item(imageId);
    await this.withLock(item.location.path, async () => {
      const abs = join(this.root, ...item.location.path.split('/'));
      await restoreBackup(this.root, abs);
      // an unreadable backup is reported by parsePending below; nothing of ours to compare then
      this.written.set(item.location.path, await readXmlFile(abs, item.location.path).then((f) => f.text, () => ''));
      item.location = { ...item.location, exists: true };
      item.entry.annotation = item.location.path;
      item.entry.status = 'pending';
      await this.index.parsePending('disk', [imageId]);
    });
    return this.getAnnotation(imageId);
  }
}

/** The file already says what the edit says (boxes sent without a key match any object id). */
function sameContent(ann: VocAnnotation, boxes: readonly BoxAnnotation[], verified: boolean): boolean {
  if (ann.verified !== verified || ann.objects.length !== boxes.length) return false;
  const w = ann.size?.width;
  const h = ann.size?.height;
  const keys = objectKeys(ann);
  return ann.objects.every((o, i) => {
    const b = boxes[i]!;
    const r = toIntegerBox(o.bndbox, w, h);
    return (
      (b.key === undefined || b.key === keys[i]) &&
      o.name === b.label &&
      r.xmin === b.xmin && r.ymin === b.ymin && r.xmax === b.xmax && r.ymax === b.ymax &&
      (o.difficult ?? false) === b.difficult &&
      (o.truncated ?? false) === b.truncated &&
      isDraftObject(o) === (b.draft ?? false) &&
      objectTrack(o) === b.track &&
      (b.pose === undefined || b.pose === (o.pose ?? 'Unspecified'))
    );
  });
}

/** The version of an annotation's text (ImageAnnotation.version). */
function versionOf(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}
