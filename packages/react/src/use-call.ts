// The phone's current call as React state, through `useSyncExternalStore`: every component of one render
// sees the same CallView (no tearing), and a component re-renders only when the call changes.
import type { CallView, Phone } from '@handset/core';
import { useCallback, useSyncExternalStore } from 'react';
import { callStoreOf } from './call-store.js';

const noSubscription = () => () => {};
const noCall = () => null;

/**
 * The current call (or the last one, until the next begins) of `phone`; `null` while there is no phone.
 * The view is the phone's own object: equal views are the same object, so it can be a dependency.
 */
export function useCall(phone: Phone): CallView;
export function useCall(phone: Phone | null): CallView | null;
export function useCall(phone: Phone | null): CallView | null {
  const store = phone ? callStoreOf(phone) : null;
  const subscribe = useCallback(
    (onChange: () => void) => (store ? store.subscribe(onChange) : noSubscription()),
    [store],
  );
  const getSnapshot = store ? store.getSnapshot : noCall;
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
