// A signaling link a test steers: status and errors are set by the test, frames come from the memory
// network, and sends go through only while the link is open (held until then, dropped once closed).
import { BehaviorSubject, Subject } from 'rxjs';
import type { Envelope, SignalingTransport, TransportError, TransportStatus } from '../src/index.js';
import type { MemoryTransport } from '../src/testing/index.js';

export interface ScriptedLink extends SignalingTransport {
  setStatus(status: TransportStatus): void;
  /** Reports an error, as a transport does; a permanent one should be followed by `setStatus('closed')`. */
  fail(error: TransportError): void;
}

export function scriptedLink(inner: MemoryTransport, initial: TransportStatus): ScriptedLink {
  const status = new BehaviorSubject<TransportStatus>(initial);
  const errors = new Subject<TransportError>();
  const held: Envelope[] = [];
  return {
    incoming$: inner.incoming$,
    status$: status.asObservable(),
    errors$: errors.asObservable(),
    send(envelope) {
      if (status.value === 'open') inner.send(envelope);
      else if (status.value !== 'closed') held.push(envelope);
    },
    close() {
      status.next('closed');
    },
    setStatus(next) {
      status.next(next);
      if (next === 'open') for (const envelope of held.splice(0)) inner.send(envelope);
      if (next === 'closed') held.length = 0;
    },
    fail(error) {
      errors.next(error);
    },
  };
}
