/**
 * The loaded detector's remembered class mapping in the open project (see
 * shared/dataset/class-mapping.ts), for showing detections in the project's terms: "dog → raccoon",
 * "person: ignored". Re-read when the model, the project or its config changes.
 */
import { useEffect, useState } from 'react';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { useDetect } from './detect-store';
import { modelKeyOf } from './model-key';
import { errorMessage } from '../../../shared/error-message';
import type { ClassMapping } from '../../../shared/dataset/types';

export function useProjectMapping(): ClassMapping | null {
  const root = useApp((s) => s.project?.root ?? null);
  const model = useDetect((s) => s.model);
  const choice = useDetect((s) => s.choice);
  const [mapping, setMapping] = useState<ClassMapping | null>(null);
  const key = model?.task === 'detect' ? modelKeyOf(choice, model.title) : null;
  useEffect(() => {
    if (!root || !key) { setMapping(null); return undefined; }
    let live = true;
    const read = (): void => {
      api.call('dataset.classMapping', { project: root, model: key }).then(
        (m) => { if (live) setMapping(m); },
        (err: unknown) => { if (live) useApp.getState().notify('error', `Could not read the class mapping of this model: ${errorMessage(err)}`); },
      );
    };
    read();
    const off = api.on('dataset.changed', (e) => { if (e.project === root && (e.reason === 'config' || e.reason === 'classes')) read(); });
    return () => { live = false; off(); };
  }, [root, key]);
  return mapping;
}
