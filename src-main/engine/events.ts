import type { EventName, EventPayload } from '../../src-shared/ipc/channels.js';
import type { Logger } from './ports.js';

export type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/** A tiny typed event hub. A throwing listener is logged and never breaks the engine. */
export type EventHub = {
  on<E extends EventName>(name: E, listener: Listener<E>): () => void;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
};

export function createEventHub(logger: Logger): EventHub {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => {
        set.delete(fn);
      };
    },
    emit(name, payload) {
      for (const fn of listeners.get(name) ?? []) {
        try {
          fn(payload);
        } catch (thrown) {
          logger.error('event listener threw', { event: name, error: String(thrown) });
        }
      }
    },
  };
}
