// Phone options on core's in-memory network with fake media, and a transport that counts who listens:
// a phone that is live subscribes to the transport's frames; a disposed one has let go.
import type { CallState, CallView, Phone, PhoneOptions, SignalingTransport } from '@handset/core';
import { createFakeMedia, createFakePeerConnections, createMemoryNetwork } from '@handset/core/testing';
import { filter, firstValueFrom, Observable, timeout } from 'rxjs';

export interface CountedTransport extends SignalingTransport {
  /** Subscriptions to `incoming$` open now: one per phone listening. */
  readonly listeners: number;
}

function counted(transport: SignalingTransport): CountedTransport {
  let listeners = 0;
  const incoming$ = new Observable<string>((subscriber) => {
    listeners += 1;
    const inner = transport.incoming$.subscribe(subscriber);
    return () => {
      listeners -= 1;
      inner.unsubscribe();
    };
  });
  return {
    ...transport,
    incoming$,
    send: (envelope) => transport.send(envelope),
    close: () => transport.close(),
    get listeners() {
      return listeners;
    },
  };
}

export function testNetwork() {
  const network = createMemoryNetwork();
  return {
    optionsFor(userId: string): PhoneOptions & { transport: CountedTransport } {
      return {
        userId,
        transport: counted(network.connect(userId)),
        peerConnectionFactory: createFakePeerConnections().factory,
        getUserMedia: createFakeMedia().getUserMedia,
      };
    },
  };
}

/** Resolves with the phone's first call view in `state`; fails after 5 s. */
export function reach(phone: Phone, state: CallState): Promise<CallView> {
  return firstValueFrom(
    phone.call$.pipe(
      filter((call) => call.state === state),
      timeout(5_000),
    ),
  );
}
