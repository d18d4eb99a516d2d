// A scriptable stand-in for RTCPeerConnection and getUserMedia, for unit tests of the call machine
// (mediasoup's FakeHandler idea): no network, deterministic, every effect observable.
import type {
  DataChannelInit,
  IceCandidateEventPort,
  MediaTrackPort,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionPort,
  SdpType,
  StatsReportPort,
  TrackEventPort,
  TransceiverDirection,
  TransceiverInit,
} from '../ports.js';
import type { IceCandidateInit, SessionDescription } from '../protocol.js';
import { FakeMediaStream, FakeTrack } from './fake-media.js';
import { FakeDataChannel, FakeTransceiver, later } from './fake-rtp.js';

export { createFakeMedia, type FakeMedia, FakeMediaStream, FakeTrack } from './fake-media.js';
export { FakeDataChannel, FakeSender, FakeTransceiver } from './fake-rtp.js';

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

let sequence = 0;
/** Open fake connections by id: a description names its maker, so two fakes that negotiated can pair up. */
const open = new Map<number, FakePeerConnection>();

const SENDS = new Set<TransceiverDirection>(['sendrecv', 'sendonly']);
const RECEIVES = new Set<TransceiverDirection>(['sendrecv', 'recvonly']);
/** The direction both ends agree on: this side sends if it wants to and the peer receives, and so on. */
function agreed(local: TransceiverDirection, remote: TransceiverDirection): TransceiverDirection {
  if (local === 'stopped' || remote === 'stopped') return 'stopped';
  const send = SENDS.has(local) && RECEIVES.has(remote);
  const receive = RECEIVES.has(local) && SENDS.has(remote);
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  return receive ? 'recvonly' : 'inactive';
}

export class FakePeerConnection implements PeerConnectionPort {
  iceConnectionState = 'new';
  signalingState = 'stable';
  localDescription: { type: SdpType; sdp: string } | null = null;
  remoteDescription: SessionDescription | null = null;
  closed = false;
  readonly addedTracks: MediaTrackPort[] = [];
  readonly transceivers: FakeTransceiver[] = [];
  readonly dataChannels: FakeDataChannel[] = [];
  /** The directions of the peer's m-lines, by mid, from its last description. */
  readonly remoteDirections = new Map<string, TransceiverDirection>();
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
    open.set(this.id, this);
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

  /** As browsers do: takes over an unused transceiver the peer's offer made for this kind, or adds one. */
  addTrack(track: MediaTrackPort): unknown {
    this.addedTracks.push(track);
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    const reusable = this.transceivers.find(
      (t) => t.fromRemote && t.kind === kind && t.sender.track === null && t.direction !== 'stopped',
    );
    if (reusable) {
      reusable.sender.track = track;
      reusable.direction = reusable.direction === 'inactive' ? 'sendonly' : 'sendrecv';
      return reusable.sender;
    }
    return this.newTransceiver(kind, track, 'sendrecv').sender;
  }

  addTransceiver(trackOrKind: MediaTrackPort | string, init: TransceiverInit = {}): FakeTransceiver {
    if (this.closed) throw new Error('fake: addTransceiver on a closed peer connection');
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const named = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const kind = named === 'audio' ? 'audio' : 'video';
    return this.newTransceiver(kind, track, init.direction ?? 'sendrecv');
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  createDataChannel(label: string, init: DataChannelInit): FakeDataChannel {
    if (this.closed) throw new Error('fake: createDataChannel on a closed peer connection');
    const channel = new FakeDataChannel(label, init.id);
    this.dataChannels.push(channel);
    return channel;
  }

  /** Test control: the transceivers of a kind that send (direction and a track). */
  sending(kind: 'audio' | 'video'): FakeTransceiver[] {
    return this.transceivers.filter((t) => t.kind === kind && SENDS.has(t.direction) && t.sender.track);
  }

  private newTransceiver(
    kind: 'audio' | 'video',
    track: MediaTrackPort | null,
    direction: TransceiverDirection,
  ): FakeTransceiver {
    const transceiver = new FakeTransceiver(
      kind,
      null,
      { track, direction, fromRemote: false },
      () => this.closed,
    );
    this.transceivers.push(transceiver);
    return transceiver;
  }

  async createOffer(options?: { iceRestart?: boolean }): Promise<{ type: SdpType; sdp: string }> {
    this.check('createOffer');
    if (options?.iceRestart) this.generation++;
    this.assignMids();
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
    this.assignMids();
    this.localDescription = { type, sdp: description?.sdp ?? this.sdp(type) };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    if (type === 'answer') this.agreeDirections();
    this.gather();
    this.maybeConnect();
  }

  async setRemoteDescription(description: SessionDescription): Promise<void> {
    this.check('setRemoteDescription');
    if (!description.sdp.startsWith('v=0')) throw new Error('fake: unparseable SDP');
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.readRemoteMedia(description.sdp);
    if (description.type === 'answer') this.agreeDirections();
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
    open.delete(this.id);
    for (const channel of this.dataChannels) channel.close();
  }

  /** The fake this one negotiated with (named in the peer's description), while it is open. */
  get peer(): FakePeerConnection | undefined {
    const maker = /^o=fake (\d+) /m.exec(this.remoteDescription?.sdp ?? '')?.[1];
    return maker === undefined ? undefined : open.get(Number(maker));
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

  /** One `m=<kind> <mid> <direction>` line per transceiver: enough for a fake peer to follow. */
  private sdp(type: string): string {
    const media = this.transceivers
      .filter((t) => t.mid !== null)
      .map((t) => `m=${t.kind} ${t.mid} ${t.direction}\r\n`)
      .join('');
    return `v=0\r\no=fake ${this.id} ${this.generation} IN IP4 127.0.0.1\r\ns=${type}\r\n${media}`;
  }

  private assignMids(): void {
    let next = this.transceivers.reduce((max, t) => Math.max(max, Number(t.mid ?? -1)), -1) + 1;
    for (const transceiver of this.transceivers) {
      if (transceiver.mid === null) transceiver.mid = String(next++);
    }
  }

  /** The peer's m-lines: an m-line new to us gets a receiving transceiver, as a browser makes one. */
  private readRemoteMedia(sdp: string): void {
    for (const [, kind, mid, direction] of sdp.matchAll(/^m=(audio|video) (\S+) (\S+)$/gm)) {
      this.remoteDirections.set(mid!, direction as TransceiverDirection);
      if (this.transceivers.some((t) => t.mid === mid)) continue;
      this.transceivers.push(
        new FakeTransceiver(
          kind as 'audio' | 'video',
          mid!,
          { track: null, direction: 'recvonly', fromRemote: true },
          () => this.closed,
        ),
      );
    }
  }

  private agreeDirections(): void {
    for (const transceiver of this.transceivers) {
      const remote = transceiver.mid === null ? undefined : this.remoteDirections.get(transceiver.mid);
      if (remote) transceiver.currentDirection = agreed(transceiver.direction, remote);
    }
  }

  /** Channels with the same id on two fakes that negotiated open together once ICE is up. */
  private connectDataChannels(): void {
    const peer = this.peer;
    if (!peer) return;
    for (const channel of this.dataChannels) {
      const other = peer.dataChannels.find((c) => c.id === channel.id);
      if (other) FakeDataChannel.connect(channel, other);
    }
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
      this.connectDataChannels();
    });
  }
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
