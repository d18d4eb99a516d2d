// An in-memory signaling network: what a signaling server does (stamp the sender, route by user, answer
// `unavailable` for offline users), without sockets. For tests and for running two phones in one process.

import { BehaviorSubject, Subject } from 'rxjs';
import { type Envelope, encodeEnvelope } from '../protocol.js';
import type { SignalingTransport, TransportStatus } from '../transport.js';
import type { TransportError } from '../transport-error.js';
import { unavailableReplyTo } from '../unavailable-reply.js';

export interface MemoryNetwork {
  /** A transport for `userId`; several transports may share one user id (several devices). */
  connect(userId: string): MemoryTransport;
  /** Every envelope routed so far, in order (for assertions). */
  readonly log: readonly Envelope[];
}

export interface MemoryTransport extends SignalingTransport {
  /** Simulates a dropped link: status `reconnecting`, sends queued, nothing delivered to it. */
  drop(): void;
  /** Ends a simulated drop: status `open`, queued sends flushed in order. */
  restore(): void;
  /** Delivers a raw frame as if the network sent it (for hostile-input tests). */
  inject(frame: string): void;
}

export function createMemoryNetwork(options: { deliverAsync?: boolean } = {}): MemoryNetwork {
  const members = new Map<string, Set<MemoryTransportImpl>>();
  const log: Envelope[] = [];
  const schedule =
    options.deliverAsync === false
      ? (run: () => void) => run()
      : (run: () => void) => void Promise.resolve().then(run);

  function route(sender: MemoryTransportImpl, envelope: Envelope): void {
    const stamped = { ...envelope, from: sender.userId } as Envelope;
    log.push(stamped);
    const receivers = [...(members.get(stamped.to) ?? [])].filter((t) => t.status$.value === 'open');
    if (receivers.length === 0) {
      const reply = unavailableReplyTo(stamped, 'network');
      if (reply) schedule(() => sender.deliver(encodeEnvelope(reply)));
      return;
    }
    const frame = encodeEnvelope(stamped);
    for (const receiver of receivers) schedule(() => receiver.deliver(frame));
  }

  class MemoryTransportImpl implements MemoryTransport {
    readonly status$ = new BehaviorSubject<TransportStatus>('open');
    private readonly frames = new Subject<string>();
    readonly incoming$ = this.frames.asObservable();
    private readonly errors = new Subject<TransportError>();
    readonly errors$ = this.errors.asObservable();
    private readonly queue: Envelope[] = [];

    constructor(readonly userId: string) {}

    send(envelope: Envelope): void {
      const status = this.status$.value;
      if (status === 'closed') return;
      if (status !== 'open') {
        this.queue.push(envelope);
        return;
      }
      route(this, envelope);
    }

    deliver(frame: string): void {
      if (this.status$.value === 'open') this.frames.next(frame);
    }

    inject(frame: string): void {
      this.frames.next(frame);
    }

    drop(): void {
      if (this.status$.value === 'open') this.status$.next('reconnecting');
    }

    restore(): void {
      if (this.status$.value !== 'reconnecting') return;
      this.status$.next('open');
      for (const envelope of this.queue.splice(0)) route(this, envelope);
    }

    close(): void {
      if (this.status$.value === 'closed') return;
      members.get(this.userId)?.delete(this);
      this.status$.next('closed');
      this.status$.complete();
      this.frames.complete();
      this.errors.complete();
    }
  }

  return {
    log,
    connect(userId) {
      const transport = new MemoryTransportImpl(userId);
      const devices = members.get(userId) ?? new Set<MemoryTransportImpl>();
      devices.add(transport);
      members.set(userId, devices);
      return transport;
    },
  };
}
