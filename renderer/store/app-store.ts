/**
 * App-wide UI state (zustand): the connection, the app info, the opened project, the current view,
 * and user-visible notices. Slices for the label, train and detect views live beside it.
 */
import { create } from 'zustand';
import type { AppInfo, BackendAvailability, OpenedProject, RecentProject } from '../../shared/api';
import { api } from '../client';
import { errorMessage } from '../../shared/error-message';
import { IMAGE_EXTENSIONS } from '../../shared/dataset/types';

export type ViewName = 'label' | 'train' | 'detect' | 'status';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** A button on the notice (e.g. Undo); pressing it dismisses the notice. */
  action?: NoticeAction;
}

export interface NoticeAction {
  label: string;
  run(): void;
}

interface AppState {
  connection: 'connecting' | 'open' | 'closed';
  info: AppInfo | null;
  backends: BackendAvailability[] | null;
  project: OpenedProject | null;
  recent: RecentProject[];
  view: ViewName;
  busy: string | null;
  notices: Notice[];
  setConnection(c: AppState['connection']): void;
  setView(v: ViewName): void;
  /** Info notices expire (later with an action); errors stay until dismissed or the project changes. */
  notify(kind: Notice['kind'], text: string, action?: NoticeAction): void;
  dismiss(id: number): void;
  loadInfo(): Promise<void>;
  loadRecent(): Promise<void>;
  openProject(dir: string): Promise<boolean>;
  closeProject(): Promise<void>;
  createSample(): Promise<void>;
}

let noticeId = 1;

export const useApp = create<AppState>()((set, get) => ({
  connection: 'connecting',
  info: null,
  backends: null,
  project: null,
  recent: [],
  view: 'label',
  busy: null,
  notices: [],
  setConnection: (connection) => set({ connection }),
  setView: (view) => set({ view }),
  notify: (kind, text, action) => {
    const id = noticeId++;
    set((s) => ({ notices: [...s.notices.slice(-2), { id, kind, text, ...(action ? { action } : {}) }] })); // at most 3: the strip must not eat the view
    if (kind === 'info') setTimeout(() => get().dismiss(id), action ? 12_000 : 5000);
  },
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  loadInfo: async () => {
    try {
      const info = await api.call('app.info', {});
      set({ info });
      set({ backends: await api.call('app.backends', {}) });
    } catch (err) {
      get().notify('error', `Could not read the app status: ${errorMessage(err)}`);
    }
  },
  loadRecent: async () => {
    try {
      set({ recent: await api.call('project.recent', {}) });
    } catch (err) {
      get().notify('error', `Could not read recent projects: ${errorMessage(err)}`);
    }
  },
  openProject: async (dir) => {
    set({ busy: `Opening ${dir}…` });
    try {
      const project = await api.call('project.open', { dir });
      // notices belong to the project they were about
      set({ project, notices: [], view: get().view === 'status' ? 'label' : get().view });
      if (project.images === 0) {
        get().notify('error', `${project.name} has no images (${IMAGE_EXTENSIONS.join(' ')}): add photos to ${project.root}, or open another folder. They appear here as soon as they are copied in.`);
        // an empty folder is not a project worth listing under "recent"
        await api.call('project.forgetRecent', { dir: project.root }).catch((err: unknown) => get().notify('error', `Could not keep ${project.root} out of the recent projects: ${errorMessage(err)}`));
      }
      void get().loadRecent();
      return true;
    } catch (err) {
      get().notify('error', `Could not open ${dir}: ${errorMessage(err)}`);
      return false;
    } finally {
      set({ busy: null });
    }
  },
  closeProject: async () => {
    const p = get().project;
    if (!p) return;
    try {
      await api.call('project.close', { project: p.root });
    } catch (err) {
      get().notify('error', `Could not close the project: ${errorMessage(err)}`);
      set({ project: null, view: get().view === 'status' ? 'status' : 'label' });
      void get().loadRecent();
      return;
    }
    // back to the picker (Label and Train need a project; their buttons are disabled without one)
    set({ project: null, notices: [], view: get().view === 'status' ? 'status' : 'label' });
    void get().loadRecent();
  },
  createSample: async () => {
    set({ busy: 'Drawing the sample project…' });
    try {
      const sample = await api.call('project.createSample', {});
      set({ busy: null });
      if (await get().openProject(sample.dir)) get().notify('info', `Sample project with ${sample.images} images and ${sample.boxes} boxes created in ${sample.dir}`);
    } catch (err) {
      get().notify('error', `Could not create the sample project: ${errorMessage(err)}`);
    } finally {
      set({ busy: null });
    }
  },
}));
