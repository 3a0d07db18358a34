/** A small typed event emitter: event names and payloads are checked at compile time. */

/** Maps event names to payload types. */
export type EventMap = Record<string, unknown>;

/** Emits typed events. `on` returns the function that unsubscribes. */
export class Emitter<E extends EventMap> {
  private readonly handlers: { [K in keyof E]?: ((payload: E[K]) => void)[] } = {};

  on<K extends keyof E>(event: K, handler: (payload: E[K]) => void): () => void {
    (this.handlers[event] ??= []).push(handler);
    return () => {
      const list = this.handlers[event];
      if (list) list.splice(list.indexOf(handler), 1);
    };
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    for (const h of [...(this.handlers[event] ?? [])]) h(payload);
  }
}
