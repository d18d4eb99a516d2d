// A scriptable stand-in for RTCPeerConnection and getUserMedia, for unit tests of the call machine
// (mediasoup's FakeHandler idea): no network, deterministic, every effect observable.
import type {
  GetUserMedia,
  IceCandidateEventPort,
  MediaStreamPort,
  MediaTrackPort,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionPort,
  SdpType,
  StatsReportPort,
  TrackEventPort,
} from '../ports.js';
import type { IceCandidateInit, MediaKinds, SessionDescription } from '../protocol.js';

export class FakeTrack implements MediaTrackPort {
  enabled = true;
  stopped = false;
  constructor(readonly kind: string) {}
  stop(): void {
    this.stopped = true;
  }
}

export class FakeMediaStream implements MediaStreamPort {
  constructor(readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
}

export interface FakePeerConnectionOptions {
  /** Local candidates emitted after each setLocalDescription (then end-of-candidates). Default 2. */
  candidates?: number;
  /** Go `checking` → `connected` on its own once both descriptions and a remote candidate are in. Default true. */
  autoConnect?: boolean;
  /** Make the named operation reject. */
  failOn?: ReadonlySet<
    'createOffer' | 'createAnswer' | 'setRemoteDescription' | 'setLocalDescription' | 'addIceCandidate'
  >;
  /** The stats report `getStats()` gives (RTCStats dictionaries). Absent: the fake has no `getStats`. */
  stats?: readonly object[];
}

type AnyListener = (event: never) => void;

/** Runs after the current operation, as a real peer connection's events do (no timers: deterministic). */
const later = (run: () => void) => void Promise.resolve().then(run);
let sequence = 0;

export class FakePeerConnection implements PeerConnectionPort {
  iceConnectionState = 'new';
  signalingState = 'stable';
  localDescription: { type: SdpType; sdp: string } | null = null;
  remoteDescription: SessionDescription | null = null;
  closed = false;
  readonly addedTracks: MediaTrackPort[] = [];
  readonly remoteCandidates: IceCandidateInit[] = [];
  restartCount = 0;
  /** How many reports were asked for. */
  statsRequests = 0;
  /** Present once a report is programmed (`options.stats` or `setStats`), as on a platform with stats. */
  getStats?: () => Promise<StatsReportPort>;
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly id = ++sequence;
  private generation = 0;

  constructor(private readonly options: FakePeerConnectionOptions = {}) {
    if (options.stats) this.setStats(options.stats);
  }

  /**
   * Test control: the report the next `getStats()` calls give; a function is asked afresh each time, and
   * may answer later (a promise), as a platform busy with other work does.
   */
  setStats(stats: readonly object[] | (() => readonly object[] | Promise<readonly object[]>)): void {
    this.getStats = async () => {
      this.statsRequests++;
      if (this.closed) throw new Error('fake: getStats on a closed peer connection');
      const entries = typeof stats === 'function' ? await stats() : stats;
      return new Map(entries.map((entry, index) => [String(index), entry]));
    };
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  addTrack(track: MediaTrackPort): unknown {
    this.addedTracks.push(track);
    return {};
  }

  async createOffer(options?: { iceRestart?: boolean }): Promise<{ type: SdpType; sdp: string }> {
    this.check('createOffer');
    if (options?.iceRestart) this.generation++;
    return { type: 'offer', sdp: this.sdp('offer') };
  }

  async createAnswer(): Promise<{ type: SdpType; sdp: string }> {
    this.check('createAnswer');
    return { type: 'answer', sdp: this.sdp('answer') };
  }

  async setLocalDescription(description?: { type: SdpType; sdp?: string }): Promise<void> {
    this.check('setLocalDescription');
    if (description?.type === 'rollback') {
      this.localDescription = null;
      this.signalingState = 'stable';
      return;
    }
    const type: SdpType =
      description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.localDescription = { type, sdp: description?.sdp ?? this.sdp(type) };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    this.gather();
    this.maybeConnect();
  }

  async setRemoteDescription(description: SessionDescription): Promise<void> {
    this.check('setRemoteDescription');
    if (!description.sdp.startsWith('v=0')) throw new Error('fake: unparseable SDP');
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.maybeConnect();
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    this.check('addIceCandidate');
    if (!this.remoteDescription) throw new Error('fake: candidate before remote description');
    this.remoteCandidates.push(candidate);
    this.maybeConnect();
  }

  restartIce(): void {
    this.restartCount++;
  }

  close(): void {
    this.closed = true;
    this.iceConnectionState = 'closed';
    this.signalingState = 'closed';
  }

  addEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener as AnyListener);
    this.listeners.set(type, set);
  }

  removeEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void {
    this.listeners.get(type)?.delete(listener as AnyListener);
  }

  /** Test control: move ICE to a state and tell the listeners. */
  setIceState(state: string): void {
    if (this.closed) return;
    this.iceConnectionState = state;
    this.emit('iceconnectionstatechange', {});
  }

  /** Test control: a remote track arrives. */
  receiveTrack(kind = 'video'): FakeMediaStream {
    const stream = new FakeMediaStream([new FakeTrack(kind)]);
    const event: TrackEventPort = { track: stream.tracks[0]!, streams: [stream] };
    this.emit('track', event);
    return stream;
  }

  /** Test control: the platform asks for renegotiation. */
  needNegotiation(): void {
    this.emit('negotiationneeded', {});
  }

  private emit(type: string, event: unknown): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as (e: unknown) => void)(event);
  }

  private check(
    operation: NonNullable<FakePeerConnectionOptions['failOn']> extends ReadonlySet<infer O> ? O : never,
  ) {
    if (this.closed) throw new Error(`fake: ${operation} on a closed peer connection`);
    if (this.options.failOn?.has(operation)) throw new Error(`fake: ${operation} failed on purpose`);
  }

  private sdp(type: string): string {
    return `v=0\r\no=fake ${this.id} ${this.generation} IN IP4 127.0.0.1\r\ns=${type}\r\n`;
  }

  private gather(): void {
    const count = this.options.candidates ?? 2;
    const generation = this.generation;
    later(() => {
      if (this.closed) return;
      for (let i = 0; i < count; i++) {
        const event: IceCandidateEventPort = {
          candidate: {
            candidate: `candidate:${this.id}${generation}${i} 1 udp 2122260223 127.0.0.1 ${40000 + i} typ host`,
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: null,
          },
        };
        this.emit('icecandidate', event);
      }
      this.emit('icecandidate', { candidate: null });
    });
  }

  private maybeConnect(): void {
    if (this.options.autoConnect === false || this.closed) return;
    const ready = this.localDescription && this.remoteDescription && this.remoteCandidates.length > 0;
    if (!ready || this.iceConnectionState === 'connected') return;
    later(() => {
      this.setIceState('checking');
      this.setIceState('connected');
    });
  }
}

export interface FakeMedia {
  getUserMedia: GetUserMedia;
  /** Every stream handed out, to check that all their tracks were stopped. */
  readonly streams: FakeMediaStream[];
}

export function createFakeMedia(options: { deny?: 'NotAllowedError' | 'NotFoundError' } = {}): FakeMedia {
  const streams: FakeMediaStream[] = [];
  return {
    streams,
    async getUserMedia(media: MediaKinds) {
      if (options.deny) {
        const error = new Error(`fake getUserMedia: ${options.deny}`);
        error.name = options.deny;
        throw error;
      }
      const tracks = [
        ...(media.audio ? [new FakeTrack('audio')] : []),
        ...(media.video ? [new FakeTrack('video')] : []),
      ];
      const stream = new FakeMediaStream(tracks);
      streams.push(stream);
      return stream;
    },
  };
}

export interface FakePeerConnections {
  factory: PeerConnectionFactory;
  readonly created: FakePeerConnection[];
}

export function createFakePeerConnections(options: FakePeerConnectionOptions = {}): FakePeerConnections {
  const created: FakePeerConnection[] = [];
  return {
    created,
    factory: () => {
      const pc = new FakePeerConnection(options);
      created.push(pc);
      return pc;
    },
  };
}
