/**
 * The name a model's class mapping is remembered under in project.json: the ready-made model's
 * id, the model folder's path, or the project's run (its title names run and weights).
 */
import type { ModelChoice } from './detect-store';

export function modelKeyOf(choice: ModelChoice | null, title: string): string {
  if (!choice) return `model:${title}`;
  if (choice.kind === 'zoo') return `zoo:${choice.id}`;
  if (choice.kind === 'folder') return `folder:${choice.path}`;
  return `run:${title.replace(/ \((best|last)\)$/, '')}`;
}
