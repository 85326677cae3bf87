// One run-name rule: the API's schema, the run folder and the Train view's form accept and refuse
// the same names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDir } from '../../main/training/run-folder';
import { checkRunNameAndBackend, type FieldErrors } from '../../renderer/views/train/setup-form';
import { trainMethods } from '../../shared/api/train';

test('run names: the API, the run folder and the setup form agree on what is allowed', () => {
  const apiAccepts = (run: string): boolean => trainMethods['train.get'].params.safeParse({ project: '/p', run }).success;
  const folderAccepts = (run: string): boolean => { try { runDir('/p', run); return true; } catch { return false; } };
  const formAccepts = (run: string): boolean => { const e: FieldErrors = {}; checkRunNameAndBackend(run, 'auto', null, e); return !e.name; };
  for (const name of ['run-1', 'yolo_v2.b', '2026-12-07', '-x']) {
    assert.deepEqual([apiAccepts(name), folderAccepts(name), formAccepts(name)], [true, true, true], name);
  }
  for (const name of ['.hidden', '..', '../evil', 'a/b', 'with space', 'é']) {
    assert.deepEqual([apiAccepts(name), folderAccepts(name), formAccepts(name)], [false, false, false], name);
  }
});
