/** A tiny event fan-out used by both API clients. */
export class EventHub {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  on(event: string, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => { set.delete(listener); };
  }
  emit(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`[api] listener for ${event} failed:`, err);
      }
    }
  }
}
