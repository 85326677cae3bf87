/**
 * The app's list of recently opened projects, kept in <dataDir>/recent-projects.json
 * (never inside a project). Written atomically; a corrupt file is reported and set aside as
 * recent-projects.json.corrupt-<time>, never silently dropped.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../shared/api/project';
import { writeFileAtomic } from '../dataset/atomic-write';
import { errorMessage } from '../../shared/error-message';

const MAX_RECENT = 12;
const fileSchema = z.object({
  version: z.literal(1),
  projects: z.array(z.object({ root: z.string(), name: z.string(), openedAt: z.string() })),
});
type Stored = z.infer<typeof fileSchema>['projects'][number];

export class RecentProjects {
  private readonly file: string;
  constructor(dataDir: string, private readonly log: (message: string) => void = console.warn) {
    this.file = join(dataDir, 'recent-projects.json');
  }

  private async read(): Promise<Stored[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      return fileSchema.parse(JSON.parse(text)).projects;
    } catch (err) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await fs.rename(this.file, aside);
      this.log(`recent projects list was unreadable (${errorMessage(err)}); moved to ${aside}`);
      return [];
    }
  }

  private async write(projects: Stored[]): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, projects }, null, 2)}\n`);
  }

  async list(): Promise<RecentProject[]> {
    const stored = await this.read();
    return Promise.all(
      stored.map(async (p) => ({
        ...p,
        exists: await fs.stat(p.root).then((s) => s.isDirectory(), () => false),
      })),
    );
  }

  async touch(root: string, name = basename(root)): Promise<void> {
    const rest = (await this.read()).filter((p) => p.root !== root);
    await this.write([{ root, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
  }

  async forget(root: string): Promise<void> {
    await this.write((await this.read()).filter((p) => p.root !== root));
  }
}
