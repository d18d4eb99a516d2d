// The current call of one phone as an external store for `useSyncExternalStore`: one subscription to
// `call$` however many components read it, and the same CallView object until the call changes.
import type { CallView, Phone } from '@handset/core';

export interface CallStore {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): CallView;
}

const stores = new WeakMap<Phone, CallStore>();

/** `call$` replays the current view to a new subscriber synchronously: this reads it without staying. */
function readNow(phone: Phone): CallView | null {
  let view: CallView | null = null;
  phone.call$
    .subscribe((next) => {
      view = next;
    })
    .unsubscribe();
  return view;
}

function createCallStore(phone: Phone): CallStore {
  const listeners = new Set<() => void>();
  let subscription: { unsubscribe(): void } | null = null;
  // A disposed phone emits nothing more; its last view stays the answer.
  let latest: CallView | null = readNow(phone);

  const store: CallStore = {
    subscribe(onChange) {
      listeners.add(onChange);
      if (subscription === null) {
        subscription = phone.call$.subscribe((view) => {
          if (view === latest) return;
          latest = view;
          for (const listener of [...listeners]) listener();
        });
      }
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0) {
          subscription?.unsubscribe();
          subscription = null;
        }
      };
    },
    getSnapshot() {
      // Without a subscriber nothing keeps `latest` fresh (a render before the first commit).
      if (subscription === null) latest = readNow(phone) ?? latest;
      return latest as CallView;
    },
  };
  return store;
}

export function callStoreOf(phone: Phone): CallStore {
  let store = stores.get(phone);
  if (!store) {
    store = createCallStore(phone);
    stores.set(phone, store);
  }
  return store;
}
