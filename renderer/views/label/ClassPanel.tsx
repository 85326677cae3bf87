/**
 * The Label view's class list: pick a class (for the selected box or the next one), live box
 * counts, default class, rename, and the class menu: colour, move up/down, merge into another
 * class, delete (with the boxes affected named before, and Undo after).
 */
import { useState } from 'react';
import { ArrowDown, ArrowUp, Merge, MoreHorizontal, Pencil, SkipForward, Trash2 } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { useLabel } from '../../store/label-store';
import { errorMessage } from '../../../shared/error-message';
import { useClassUsage } from './class-usage';

interface Props {
  project: OpenedProject;
  /** Class of the selected box, or null. */
  selectedLabel: string | null;
  colorOf(name: string): string;
  onPick(name: string): void;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function ClassPanel({ project, selectedLabel, colorOf, onPick }: Props): React.JSX.Element {
  const notify = useApp((a) => a.notify);
  const nextClass = useLabel((s) => s.nextClass);
  const usage = useClassUsage(project.root);
  const [newClass, setNewClass] = useState('');
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null);
  const [menu, setMenu] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [mergeInto, setMergeInto] = useState('');
  const [busy, setBusy] = useState(false);
  const classes = project.classes;
  const root = project.root;

  const setProject = (patch: Partial<OpenedProject>): void => {
    const p = useApp.getState().project;
    if (p && p.root === root) useApp.setState({ project: { ...p, ...patch } });
  };
  const call = async (what: string, fn: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await api.call('dataset.flush', { project: root });
      await fn();
    } catch (err) {
      notify('error', `${what}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const closeMenu = (): void => { setMenu(null); setConfirmDelete(false); setMergeInto(''); };

  const addClass = (): void => {
    const name = newClass.trim();
    if (!name) return;
    void call(`Could not add the class “${name}”`, async () => {
      setProject({ classes: await api.call('dataset.addClass', { project: root, name }) });
      setNewClass('');
    });
  };
  const rename = (): void => {
    const r = renaming;
    if (!r || !r.to.trim() || r.to.trim() === r.from) { setRenaming(null); return; }
    const to = r.to.trim();
    void call('Could not rename the class', async () => {
      const res = await api.call('dataset.renameClass', { project: root, from: r.from, to });
      setProject({ classes: res.classes, defaultClass: project.defaultClass === r.from ? to : project.defaultClass });
      notify('info', `Renamed “${r.from}” to “${to}” in ${plural(res.filesRewritten, 'file')}.`);
      setRenaming(null);
      await useLabel.getState().reloadCurrent();
    });
  };
  const setDefault = (name: string | null): void => {
    void call('Could not set the default class', async () => {
      await api.call('dataset.setDefaultClass', { project: root, name });
      setProject({ defaultClass: name });
    });
  };
  const undoable = (text: string, undoId: string): void => {
    notify('info', text, {
      label: 'Undo',
      run: () => void call('Could not undo', async () => {
        const u = await api.call('dataset.undoClassChange', { project: root, undoId });
        setProject({ classes: u.classes });
        await useLabel.getState().reloadCurrent();
        notify(u.skipped.length ? 'error' : 'info', u.skipped.length
          ? `Undone in ${plural(u.filesRestored, 'file')}; ${plural(u.skipped.length, 'file')} changed since and kept as they are: ${u.skipped.slice(0, 5).join(', ')}`
          : `Undone: ${plural(u.filesRestored, 'file')} restored.`);
      }),
    });
  };
  const remove = (name: string): void => {
    void call(`Could not delete the class “${name}”`, async () => {
      const r = await api.call('dataset.deleteClass', { project: root, name });
      setProject({ classes: r.classes, defaultClass: project.defaultClass === name ? null : project.defaultClass });
      closeMenu();
      await useLabel.getState().reloadCurrent();
      undoable(`Deleted the class “${name}” and ${plural(r.boxesChanged, 'box', 'boxes')} in ${plural(r.filesRewritten, 'file')}.`, r.undoId);
    });
  };
  const merge = (from: string, into: string): void => {
    void call(`Could not merge “${from}” into “${into}”`, async () => {
      const r = await api.call('dataset.mergeClass', { project: root, from, into });
      setProject({ classes: r.classes, defaultClass: project.defaultClass === from ? into : project.defaultClass });
      closeMenu();
      await useLabel.getState().reloadCurrent();
      undoable(`Merged “${from}” into “${into}”: ${plural(r.boxesChanged, 'box', 'boxes')} in ${plural(r.filesRewritten, 'file')} relabeled.`, r.undoId);
    });
  };
  const move = (name: string, delta: -1 | 1): void => {
    const i = classes.indexOf(name);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= classes.length) return;
    const next = [...classes];
    [next[i], next[j]] = [next[j]!, next[i]!];
    void call('Could not reorder the classes', async () => {
      setProject({ classes: await api.call('dataset.reorderClasses', { project: root, classes: next }) });
    });
  };
  const setColor = (name: string, color: string | null): void => {
    void call(`Could not set the colour of “${name}”`, async () => {
      setProject({ classColors: await api.call('dataset.setClassColor', { project: root, name, color }) });
    });
  };

  const empty = usage ? classes.filter((c) => (usage.get(c)?.boxes ?? 0) === 0) : [];
  return (
    <>
      <h3>Classes</h3>
      <ul className="class-list" data-testid="class-list">
        {classes.map((c, i) => {
          const active = selectedLabel !== null ? selectedLabel === c : nextClass === c;
          const u = usage?.get(c);
          const count = u ? u.boxes : null;
          return (
            <li key={c} className={`${active ? 'active' : ''}${menu === c ? ' open' : ''}`} data-class={c}>
              <div className="class-row">
                {renaming?.from === c ? (
                  <input
                    className="rename-input" aria-label={`Rename ${c}`} autoFocus value={renaming.to}
                    onChange={(e) => setRenaming({ from: c, to: e.target.value })}
                    onKeyDown={(e) => { if (e.key === 'Enter') rename(); if (e.key === 'Escape') setRenaming(null); }}
                    onBlur={rename}
                  />
                ) : (
                  <button type="button" className="class-pick" onClick={() => onPick(c)} title={selectedLabel !== null ? `Set the selected box to ${c}` : `Next box: ${c}`}>
                    <span className="swatch" style={{ background: colorOf(c) }} />
                    <span className="class-key">{i < 9 ? i + 1 : ''}</span>
                    <span className="class-name">{c}</span>
                    <span className={`class-count${count === 0 ? ' zero' : ''}`} data-testid="class-count" title={u ? `${plural(u.boxes, 'box', 'boxes')} in ${plural(u.images, 'image')}${u.drafts ? `, ${plural(u.drafts, 'draft')}` : ''}` : 'counting…'}>{count ?? ''}</span>
                  </button>
                )}
                <button type="button" className={`icon-button tiny${project.defaultClass === c ? ' on' : ''}`} title={project.defaultClass === c ? 'Default class (single-class mode): click to turn off' : 'Use as default class: no popup per box'} aria-label={`Default class ${c}`} aria-pressed={project.defaultClass === c} onClick={() => setDefault(project.defaultClass === c ? null : c)}>
                  <SkipForward size={12} />
                </button>
                <button type="button" className="icon-button tiny" aria-label={`Rename class ${c}`} title="Rename" onClick={() => setRenaming({ from: c, to: c })}>
                  <Pencil size={12} />
                </button>
                <button type="button" className={`icon-button tiny${menu === c ? ' on' : ''}`} aria-label={`More for class ${c}`} title="Colour, order, merge, delete" aria-expanded={menu === c} onClick={() => (menu === c ? closeMenu() : (closeMenu(), setMenu(c)))}>
                  <MoreHorizontal size={12} />
                </button>
              </div>
              {menu === c ? (
                <div className="class-menu" data-testid="class-menu">
                  <div className="class-menu-row">
                    <label className="small" title="Colour of this class's boxes">
                      colour <input type="color" aria-label={`Colour of ${c}`} value={colorOf(c)} disabled={busy} onChange={(e) => setColor(c, e.target.value)} />
                    </label>
                    {project.classColors[c] ? <button type="button" className="link-button small" disabled={busy} onClick={() => setColor(c, null)}>default colour</button> : null}
                    <span className="topbar-spacer" />
                    <button type="button" className="icon-button tiny" aria-label={`Move ${c} up`} title="Move up (changes class ids)" disabled={busy || i === 0} onClick={() => move(c, -1)}><ArrowUp size={12} /></button>
                    <button type="button" className="icon-button tiny" aria-label={`Move ${c} down`} title="Move down (changes class ids)" disabled={busy || i === classes.length - 1} onClick={() => move(c, 1)}><ArrowDown size={12} /></button>
                  </div>
                  <div className="class-menu-row">
                    <select aria-label={`Merge ${c} into`} value={mergeInto} disabled={busy || classes.length < 2} onChange={(e) => setMergeInto(e.target.value)}>
                      <option value="">{classes.length < 2 ? 'no other class to merge into' : 'Merge into…'}</option>
                      {classes.filter((o) => o !== c).map((o) => <option key={o} value={o}>{o}</option>)}
                    </select>
                    <button type="button" className="button small" disabled={busy || !mergeInto} onClick={() => merge(c, mergeInto)}>
                      <Merge size={12} /> {!mergeInto ? 'Merge' : count !== null ? `Merge ${count} into “${mergeInto}”` : `Merge into “${mergeInto}”`}
                    </button>
                  </div>
                  {confirmDelete ? (
                    <div className="class-menu-row confirm" role="alertdialog" aria-label={`Delete ${c}?`}>
                      <span className="small">
                        {u ? <>Delete “{c}” and its {plural(u.boxes + u.drafts, 'box', 'boxes')} in {plural(u.images, 'image')}?</> : <>Delete “{c}” and all its boxes?</>}
                        {i < classes.length - 1 ? ' Later classes move up one id.' : ''}
                      </span>
                      <button type="button" className="button small danger" disabled={busy} onClick={() => remove(c)}>Delete</button>
                      <button type="button" className="button small" disabled={busy} onClick={() => setConfirmDelete(false)}>Cancel</button>
                    </div>
                  ) : (
                    <div className="class-menu-row">
                      <button type="button" className="button small danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
                        <Trash2 size={12} /> Delete class{u ? ` (${plural(u.boxes + u.drafts, 'box', 'boxes')})` : ''}
                      </button>
                    </div>
                  )}
                </div>
              ) : null}
            </li>
          );
        })}
        {classes.length === 0 ? <li className="muted">No classes yet.</li> : null}
      </ul>
      {empty.length ? (
        <p className="class-warning small" data-testid="empty-classes">
          {empty.map((c) => `“${c}”`).join(', ')} {empty.length === 1 ? 'has' : 'have'} no boxes: training would learn {empty.length === 1 ? 'a class' : 'classes'} it never sees. Delete or merge {empty.length === 1 ? 'it' : 'them'} (⋯).
        </p>
      ) : null}
      <form className="add-class" onSubmit={(e) => { e.preventDefault(); addClass(); }}>
        <input aria-label="New class" placeholder="New class" value={newClass} onChange={(e) => setNewClass(e.target.value)} />
        <button type="submit" className="button small" disabled={!newClass.trim() || busy} title={newClass.trim() ? undefined : 'Type a class name first'}>Add</button>
      </form>
      <p className="muted small">{project.defaultClass ? <>Single-class mode: new boxes are “{project.defaultClass}”.</> : <>A class picker opens after each box.</>}</p>
    </>
  );
}
