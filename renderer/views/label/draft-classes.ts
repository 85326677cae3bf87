/**
 * Model classes on the way into a project (pre-labeling, webcam "Add to project"): the loaded
 * model's key and remembered mapping, applied to its boxes before they are written as drafts.
 */
import { api } from '../../client';
import { useDetect } from '../detect/detect-store';
import { modelKeyOf } from '../detect/model-key';
import { mapModelBoxes, type MappedBoxes } from '../../../shared/dataset/class-mapping';
import type { ClassMapping } from '../../../shared/dataset/types';

/** Key of the model loaded now (null when none). */
export function loadedModelKey(): string | null {
  const { model, choice } = useDetect.getState();
  return model ? modelKeyOf(choice, model.title) : null;
}

/** The loaded model's remembered mapping in this project ({} without a model). */
export async function loadedModelMapping(project: string): Promise<ClassMapping> {
  const model = loadedModelKey();
  return model ? api.call('dataset.classMapping', { project, model }) : {};
}

/** Boxes with the model's classes mapped onto the project's (see shared/dataset/class-mapping.ts). */
export async function mapForProject<B extends { label: string }>(project: string, classes: readonly string[], boxes: readonly B[]): Promise<MappedBoxes<B>> {
  return mapModelBoxes(boxes, classes, await loadedModelMapping(project));
}
