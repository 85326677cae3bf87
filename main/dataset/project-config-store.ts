/**
 * ProjectConfigStore: a project's `.detecta/project.json` in memory (project-config.ts is its
 * schema and file) and its one writer, with typed accessors: classes (list, colours, default,
 * model mappings, order), the split config and the active model. Every change writes the file
 * atomically and reports itself through `changed` ('classes' or 'config'); a failed write changes
 * nothing, in memory either. Class changes that rewrite annotation files are class-edits.ts'.
 */
import { ApiError } from '../../shared/api/contract';
import type { ClassMapping, ProjectConfig, SplitConfig } from '../../shared/dataset/types';
import { appendClasses, classColorProblem, classNameProblem, reorderClasses } from '../../shared/dataset/classes';
import { errorMessage } from '../../shared/error-message';
import { saveProjectConfig, type ActiveModelRef, type StoredProjectConfig } from './project-config';

export type ConfigChange = 'classes' | 'config';

export class ProjectConfigStore {
  private config: StoredProjectConfig;

  constructor(
    private readonly root: string,
    config: StoredProjectConfig,
    /** Whether project.json exists (opening writes nothing; `persist` writes it once). */
    private stored: boolean,
    private readonly changed: (reason: ConfigChange) => void,
  ) {
    this.config = config;
  }

  /** The live config (read only: change it through the methods). */
  get current(): Readonly<StoredProjectConfig> {
    return this.config;
  }

  get classes(): readonly string[] {
    return this.config.classes;
  }

  /** A copy of the whole config. */
  snapshot(): ProjectConfig {
    return structuredClone(this.config);
  }

  /** Applies a patch and writes project.json. */
  async update(patch: Partial<StoredProjectConfig>, reason: ConfigChange = 'classes'): Promise<void> {
    const previous = this.config;
    const next = { ...previous, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (next as Record<string, unknown>)[k];
    this.config = next; // at once, so a concurrent update builds on it
    try {
      await saveProjectConfig(this.root, next);
    } catch (err) {
      // a failed write changes nothing, in memory either (unless a later update already built on it)
      if (this.config === next) this.config = previous;
      throw err;
    }
    this.stored = true;
    this.changed(reason);
  }

  /** Classes found in annotation files join the list in memory (written with the next change). */
  absorbClasses(ordered: readonly string[]): void {
    this.config.classes = appendClasses(this.config.classes, ordered);
  }

  /** Writes project.json now if it does not exist yet (pins the class order found in the files). */
  async persist(): Promise<void> {
    if (!this.stored) await this.update({}, 'config');
  }

  // ---------------------------------------------------------------- active model

  /** The active model (a run and its weights), or null when none is chosen. */
  activeModel(): ActiveModelRef | null {
    const a = this.config.activeModel;
    return a ? { ...a } : null;
  }

  /** Chooses (or with null clears) the active model. */
  async setActiveModel(ref: ActiveModelRef | null): Promise<void> {
    await this.update({ activeModel: ref === null ? undefined : { run: ref.run, weights: ref.weights } }, 'config');
  }

  // ---------------------------------------------------------------- classes

  /** Appends class names (in the order given) that are not in the list yet. */
  async appendClasses(names: readonly string[]): Promise<string[]> {
    for (const n of names) {
      const p = classNameProblem(n);
      if (p) throw new ApiError('bad_request', p);
    }
    const next = appendClasses(this.config.classes, names);
    if (next.length !== this.config.classes.length) await this.update({ classes: next });
    return [...this.config.classes];
  }

  async addClass(name: string): Promise<string[]> {
    const p = classNameProblem(name);
    if (p) throw new ApiError('bad_request', p);
    if (this.config.classes.includes(name)) throw new ApiError('conflict', `a class named "${name}" already exists`);
    await this.update({ classes: appendClasses(this.config.classes, [name]) });
    return [...this.config.classes];
  }

  /** Puts the classes in a new order (a permutation of the list). Class ids (YOLO ids) follow the new order. */
  async reorderClasses(next: readonly string[]): Promise<string[]> {
    let classes: string[];
    try {
      classes = reorderClasses(this.config.classes, next);
    } catch (err) {
      throw new ApiError('bad_request', errorMessage(err));
    }
    await this.update({ classes });
    return [...classes];
  }

  /** Sets (or with null clears) the colour a class is drawn with. */
  async setClassColor(name: string, color: string | null): Promise<Record<string, string>> {
    if (!this.config.classes.includes(name)) throw new ApiError('not_found', `no class named "${name}"`);
    const colors = { ...(this.config.classColors ?? {}) };
    if (color === null) delete colors[name];
    else {
      const p = classColorProblem(color);
      if (p) throw new ApiError('bad_request', p);
      colors[name] = color.toLowerCase();
    }
    await this.update({ classColors: colors }, 'config');
    return colors;
  }

  /** The remembered mapping of a model's classes onto the project's ({} when none). */
  classMapping(model: string): ClassMapping {
    return { ...(this.config.classMappings?.[model] ?? {}) };
  }

  /**
   * Remembers (merges) how a model's classes map onto the project's. A target that is not a
   * project class yet is refused: add the class first (accepting a box of it does that).
   */
  async setClassMapping(model: string, mapping: ClassMapping): Promise<ClassMapping> {
    for (const [from, to] of Object.entries(mapping)) {
      if (to !== null && !this.config.classes.includes(to)) throw new ApiError('bad_request', `cannot map "${from}" to "${to}": the project has no class "${to}"`);
    }
    const next = { ...this.classMapping(model), ...mapping };
    await this.update({ classMappings: { ...(this.config.classMappings ?? {}), [model]: next } }, 'config');
    return next;
  }

  async setDefaultClass(name: string | null): Promise<ProjectConfig> {
    const patch: Partial<ProjectConfig> = { defaultClass: name };
    if (name !== null && !this.config.classes.includes(name)) patch.classes = appendClasses(this.config.classes, [name]);
    await this.update(patch, 'config');
    return this.snapshot();
  }

  // ---------------------------------------------------------------- splits

  get split(): SplitConfig {
    return this.config.split;
  }

  async setSplitConfig(split: SplitConfig): Promise<void> {
    await this.update({ split }, 'config');
  }
}
