/**
 * Handler types: one async function per API method, transport-agnostic. A handler receives its
 * params already validated by the method's zod schema, and a context for emitting events and
 * reaching shared services; it throws ApiError for failures the user should see.
 */
import type { MethodDef, ParsedParamsOf, ResultOf } from '../../shared/api/contract';
import type { ApiEvents, EventName } from '../../shared/api';
import type { Services } from './services';

export interface ApiContext {
  services: Services;
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void;
}

export type Handler<D> = (params: ParsedParamsOf<D>, ctx: ApiContext) => Promise<ResultOf<D>>;

export type HandlersFor<T extends Record<string, MethodDef>> = { [K in keyof T]: Handler<T[K]> };
