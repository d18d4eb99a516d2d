// The phone's events (`incoming-call`, `call-ended`, `transport-error`...) handed to a callback for as
// long as the component is mounted. The latest handler is called without resubscribing on each render.
import type { Phone, PhoneEvent } from '@handset/core';
import { useEffect, useRef } from 'react';

export function usePhoneEvents(phone: Phone | null, handler: (event: PhoneEvent) => void): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!phone) return;
    const subscription = phone.events$.subscribe((event) => latest.current(event));
    return () => subscription.unsubscribe();
  }, [phone]);
}
