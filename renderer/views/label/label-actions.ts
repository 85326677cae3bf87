/**
 * The Label view's actions (keyboard shortcuts and toolbar buttons) mapped onto the store's
 * commands: one place that says what each ActionId does.
 */
import { useLabel } from '../../store/label-store';
import type { ActionId } from '../../store/label/keymap';

export interface ActionContext {
  /** The project's classes (the number keys pick one). */
  classes: readonly string[];
  openHelp(): void;
}

/** Runs `action` (Shift held: nudges move 10 px). */
export function runAction(action: ActionId, shift: boolean, ctx: ActionContext): void {
  const st = useLabel.getState();
  const step = shift ? 10 : 1;
  switch (action) {
    case 'draw':
      if (st.doc) st.interact({ type: 'arm' });
      st.setSelected(null);
      return;
    case 'cancel': st.interact({ type: 'cancel' }); st.setSelected(null); return;
    case 'next': void st.step(1); return;
    case 'prev': void st.step(-1); return;
    case 'nextUnlabeled': void st.nextUnlabeled(); return;
    case 'delete': st.deleteSelected(); return;
    case 'duplicate': st.duplicateSelected(); return;
    case 'copyPrevious': void st.copyPrevious(); return;
    case 'undo': st.undo(); return;
    case 'redo': st.redo(); return;
    case 'save': void st.saveNow(); return;
    case 'verify': st.toggleVerified(); return;
    case 'difficult': st.toggleFlag('difficult'); return;
    case 'truncated': st.toggleFlag('truncated'); return;
    case 'nudgeLeft': st.nudgeSelected(-step, 0); return;
    case 'nudgeRight': st.nudgeSelected(step, 0); return;
    case 'nudgeUp': st.nudgeSelected(0, -step); return;
    case 'nudgeDown': st.nudgeSelected(0, step); return;
    case 'nudgeLeftFast': st.nudgeSelected(-10, 0); return;
    case 'nudgeRightFast': st.nudgeSelected(10, 0); return;
    case 'nudgeUpFast': st.nudgeSelected(0, -10); return;
    case 'nudgeDownFast': st.nudgeSelected(0, 10); return;
    case 'zoomIn': st.zoomBy(1.25); return;
    case 'zoomOut': st.zoomBy(0.8); return;
    case 'zoomFit': st.fit('window'); return;
    case 'fitWidth': st.fit('width'); return;
    case 'toggleHide': st.setDisplay({ hideBoxes: !st.hideBoxes }); return;
    case 'toggleLabels': st.setDisplay({ showLabels: !st.showLabels }); return;
    case 'help': ctx.openHelp(); return;
    default: {
      const name = ctx.classes[Number(action.replace('class', '')) - 1];
      if (name) st.pickClass(name);
    }
  }
}
