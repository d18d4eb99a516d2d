// The fake peer connection's transceivers, senders and data channel: every effect recorded, and two fake
// connections that negotiated with each other get a working in-memory channel pair.
import type {
  DataChannelEventMap,
  DataChannelPort,
  MediaTrackPort,
  RtpSenderPort,
  RtpTransceiverPort,
  TransceiverDirection,
} from '../ports.js';
import { FakeTrack } from './fake-media.js';

/** Runs after the current operation, as a platform's events do (no timers: deterministic). */
export const later = (run: () => void) => void Promise.resolve().then(run);

export class FakeSender implements RtpSenderPort {
  /** Every track handed to replaceTrack, in order (null: sending stopped). */
  readonly replacements: (MediaTrackPort | null)[] = [];
  constructor(
    public track: MediaTrackPort | null,
    private readonly isClosed: () => boolean,
  ) {}

  async replaceTrack(track: MediaTrackPort | null): Promise<void> {
    if (this.isClosed()) throw new Error('fake: replaceTrack on a closed peer connection');
    this.replacements.push(track);
    this.track = track;
  }
}

export class FakeTransceiver implements RtpTransceiverPort {
  direction: TransceiverDirection;
  /** The direction last agreed by an offer/answer exchange (null before the first). */
  currentDirection: TransceiverDirection | null = null;
  readonly sender: FakeSender;
  readonly receiver: { readonly track: FakeTrack };
  /** Made for an m-line of the peer's offer (a local addTrack may then take it over, as browsers do). */
  readonly fromRemote: boolean;

  constructor(
    readonly kind: 'audio' | 'video',
    public mid: string | null,
    init: { track: MediaTrackPort | null; direction: TransceiverDirection; fromRemote: boolean },
    isClosed: () => boolean,
  ) {
    this.direction = init.direction;
    this.fromRemote = init.fromRemote;
    this.sender = new FakeSender(init.track, isClosed);
    this.receiver = { track: new FakeTrack(kind, { label: `remote ${kind}`, deviceId: 'remote' }) };
  }
}

type Listener = (event: never) => void;

export class FakeDataChannel implements DataChannelPort {
  readyState: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  bufferedAmount = 0;
  /** Every frame sent, in order. */
  readonly sent: string[] = [];
  peer: FakeDataChannel | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    readonly label: string,
    readonly id: number,
  ) {}

  send(data: string): void {
    if (this.readyState !== 'open') {
      const error = new Error(`fake: send on a ${this.readyState} data channel`);
      error.name = 'InvalidStateError';
      throw error;
    }
    this.sent.push(data);
    const peer = this.peer;
    later(() => peer?.receive(data));
  }

  close(): void {
    if (this.readyState === 'closed') return;
    const peer = this.peer;
    this.peer = null;
    this.finish();
    if (peer) later(() => peer.finish());
  }

  addEventListener<K extends keyof DataChannelEventMap>(
    type: K,
    listener: (event: DataChannelEventMap[K]) => void,
  ): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener as Listener);
    this.listeners.set(type, set);
  }

  removeEventListener<K extends keyof DataChannelEventMap>(
    type: K,
    listener: (event: DataChannelEventMap[K]) => void,
  ): void {
    this.listeners.get(type)?.delete(listener as Listener);
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /** Test control: one frame arrives from the peer (any data: a hostile peer sends what it likes). */
  receive(data: unknown): void {
    if (this.readyState !== 'open') return;
    this.emit('message', { data });
  }

  /** Pairs two channels and opens both, as SCTP does once the connection is up. */
  static connect(a: FakeDataChannel, b: FakeDataChannel): void {
    if (a.readyState !== 'connecting' || b.readyState !== 'connecting') return;
    a.peer = b;
    b.peer = a;
    a.open();
    b.open();
  }

  /** Test control: the channel opens (without a peer: what is sent goes nowhere). */
  open(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.emit('open', {});
  }

  private finish(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.emit('close', {});
  }

  private emit(type: string, event: unknown): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as (e: unknown) => void)(event);
  }
}
