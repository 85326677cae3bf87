/** Every API handler, composed from one module per area; the dispatcher's lookup table. */
import type { Methods } from '../../shared/api';
import type { HandlersFor } from './handler';
import { appHandlers } from './app';
import { projectHandlers } from './project';
import { datasetHandlers } from './dataset';
import { trainHandlers } from './train';
import { modelHandlers } from './model';
import { detectHandlers } from './detect';
import { reviewHandlers } from './review';

export const handlers: HandlersFor<Methods> = {
  ...appHandlers,
  ...projectHandlers,
  ...datasetHandlers,
  ...trainHandlers,
  ...modelHandlers,
  ...detectHandlers,
  ...reviewHandlers,
};
