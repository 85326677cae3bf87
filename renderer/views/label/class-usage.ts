/**
 * Live box counts per class for the Label view's class list: read with dataset.classUsage when
 * the project opens and again after every change (saves, class edits, files changed on disk,
 * webcam and pre-labeling writes), coalesced so a burst of saves costs one read.
 */
import { useEffect, useState } from 'react';
import type { ClassUsage } from '../../../shared/dataset/types';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { errorMessage } from '../../../shared/error-message';

export function useClassUsage(project: string): Map<string, ClassUsage> | null {
  const [usage, setUsage] = useState<Map<string, ClassUsage> | null>(null);
  useEffect(() => {
    let live = true;
    let running = false;
    let again = false;
    const read = async (): Promise<void> => {
      if (running) { again = true; return; }
      running = true;
      try {
        do {
          again = false;
          const list = await api.call('dataset.classUsage', { project });
          if (live) setUsage(new Map(list.map((u) => [u.name, u])));
        } while (again && live);
      } catch (err) {
        if (live) useApp.getState().notify('error', `Could not count the boxes per class: ${errorMessage(err)}`);
      } finally {
        running = false;
      }
    };
    void read();
    const off = api.on('dataset.changed', (e) => {
      // while the index is still being parsed, once at the end is enough
      if (e.project === project && (e.reason !== 'index' || !e.summary.indexing)) void read();
    });
    return () => { live = false; off(); };
  }, [project]);
  return usage;
}
