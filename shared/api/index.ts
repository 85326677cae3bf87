/**
 * The whole API: every request method and every event, composed from one file per area.
 * Add an area by writing shared/api/<area>.ts (methods + events) and spreading it here.
 */
import type { ParamsOf, ResultOf } from './contract';
import { appMethods, type AppEvents } from './app';
import { projectMethods, type ProjectEvents } from './project';
import { datasetMethods, type DatasetEvents } from './dataset';
import { trainMethods, type TrainEvents } from './train';
import { modelMethods, type ModelEvents } from './model';
import { detectMethods, type DetectEvents } from './detect';
import { reviewMethods } from './review';

export const methods = {
  ...appMethods,
  ...projectMethods,
  ...datasetMethods,
  ...trainMethods,
  ...modelMethods,
  ...detectMethods,
  ...reviewMethods,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = ParamsOf<Methods[M]>;
export type Result<M extends MethodName> = ResultOf<Methods[M]>;

export type ApiEvents = AppEvents & ProjectEvents & DatasetEvents & TrainEvents & ModelEvents & DetectEvents;
export type EventName = keyof ApiEvents;

/** What the renderer sees, in Electron (preload) and in a browser (WebSocket) alike. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /**
   * Writes a result file (see `detect.writeFile`): a buffer over IPC in Electron, a streamed
   * upload in a browser, so large videos never travel as one message.
   */
  writeFile(path: string, data: Blob): Promise<Result<'detect.writeFile'>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export * from './contract';
export type * from './app';
export type * from './project';
export type * from './dataset';
export type * from './train';
export type * from './model';
export type * from './detect';
export type * from './review';
export type * from '../dataset/types';
export type { ImageFilter } from '../dataset/filter';
