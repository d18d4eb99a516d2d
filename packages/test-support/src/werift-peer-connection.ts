// A werift RTCPeerConnection dressed as a browser's, so the call machine runs over real ICE, DTLS and SRTP
// in Node. Each place where werift 0.24.4 behaves in a way the machine could notice is evened out here.

import { randomUUID } from 'node:crypto';
import type {
  IceCandidateEventPort,
  IceCandidateInit,
  IceConnectionState,
  MediaStreamPort,
  MediaTrackPort,
  PeerConnectionConfig,
  PeerConnectionEventMap,
  PeerConnectionPort,
  SdpType,
  SessionDescription,
  StatsReportPort,
} from '@handset/core';
import {
  MediaStream,
  MediaStreamTrack,
  type RTCIceCandidate,
  RTCPeerConnection,
  type RTCSessionDescription,
  type RTCTrackEvent,
} from 'werift';
import { nextReportedIceState } from './ice-connection-state.js';
import { isLoopbackCandidate } from './loopback.js';
import { isNegotiationNeeded } from './negotiation-needed.js';
import {
  candidateEvent,
  closedError,
  isLocalDescriptionType,
  plainDescription,
  weriftConfig,
} from './werift-description.js';

type Listener<E> = (event: E) => void;
type ListenerSets = { [K in keyof PeerConnectionEventMap]: Set<Listener<PeerConnectionEventMap[K]>> };
/** A report that a listener threw: like a browser, the error surfaces but the other listeners still run. */
function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

export class WeriftPeerConnection implements PeerConnectionPort {
  /** The werift connection underneath, for tests that need to look closer (stats, transports). */
  readonly raw: RTCPeerConnection;

  private readonly listeners: ListenerSets = {
    icecandidate: new Set(),
    iceconnectionstatechange: new Set(),
    track: new Set(),
    negotiationneeded: new Set(),
    // werift 0.24.4 never fires it (a refused TURN allocation is only logged); kept so listeners are accepted.
    icecandidateerror: new Set(),
  };
  private closed = false;
  private closing: Promise<void> = Promise.resolve();
  private reportedIceState: IceConnectionState = 'new';

  // Operations chain, as in the W3C spec: werift runs overlapping calls concurrently, browsers queue them,
  // and a candidate added while a restart offer is being applied must wait for it.
  private chain: Promise<void> = Promise.resolve();
  private pendingOperations = 0;

  // Negotiation-needed bookkeeping (W3C "update the negotiation-needed flag").
  private negotiationNeeded = false;
  private updateNegotiationNeededOnEmptyChain = false;
  private iceRestartRequested = false;

  // werift surfaces candidates while setLocalDescription() is still running; a browser only after it
  // resolved. They wait here so an offer is always sent before its candidates.
  private readonly pendingCandidates: IceCandidateEventPort[] = [];
  private localDescriptionsInFlight = 0;
  private candidateFlushScheduled = false;

  // werift repeats `track` on every renegotiation and builds a new one-track MediaStream each time. The
  // call shows one remote stream, so every remote track of this connection is gathered into one stream
  // object, whatever streams (or none) the remote peer put them in; each track is announced once.
  private readonly announcedRemoteTracks = new Set<MediaStreamTrack>();
  private remoteStream: MediaStream | null = null;

  constructor(config?: PeerConnectionConfig) {
    this.raw = new RTCPeerConnection(weriftConfig(config));
    this.raw.onIceCandidate.subscribe((candidate) => this.onRawCandidate(candidate));
    this.raw.iceConnectionStateChange.subscribe((state) => this.onRawIceState(state));
    this.raw.addEventListener('track', (event: RTCTrackEvent) => this.onRawTrack(event));
  }

  /** Passes new ICE servers (and policy) to werift; its next gathering (an ICE restart) uses them. */
  setConfiguration(config: PeerConnectionConfig): void {
    if (this.closed) throw closedError();
    const { iceServers, iceTransportPolicy } = weriftConfig(config);
    this.raw.setConfiguration({
      iceServers: iceServers ?? [],
      ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
    });
  }

  get iceConnectionState(): IceConnectionState {
    return this.reportedIceState;
  }

  get signalingState(): string {
    return this.closed ? 'closed' : this.raw.signalingState;
  }

  get localDescription(): { type: SdpType; sdp: string } | null {
    const description = this.raw.localDescription;
    return description ? plainDescription(description) : null;
  }

  addTrack(track: MediaTrackPort, ...streams: MediaStreamPort[]): unknown {
    if (this.closed) throw closedError();
    if (!(track instanceof MediaStreamTrack)) {
      throw new TypeError(
        'addTrack: the track must be a werift MediaStreamTrack (see createWeriftGetUserMedia)',
      );
    }
    const weriftStreams = streams.map((stream) => {
      if (!(stream instanceof MediaStream)) {
        throw new TypeError('addTrack: streams must be werift MediaStreams (see createWeriftGetUserMedia)');
      }
      return stream;
    });
    const sender = this.raw.addTrack(track, ...weriftStreams);
    this.updateNegotiationNeeded();
    return sender;
  }

  createOffer(options?: { iceRestart?: boolean }): Promise<{ type: SdpType; sdp?: string }> {
    return this.enqueue(async () =>
      plainDescription(await this.createRawOffer(options?.iceRestart ?? false)),
    );
  }

  createAnswer(): Promise<{ type: SdpType; sdp?: string }> {
    return this.enqueue(async () => plainDescription(await this.raw.createAnswer()));
  }

  setLocalDescription(description?: { type: string; sdp?: string }): Promise<void> {
    if (description && !isLocalDescriptionType(description.type)) {
      return Promise.reject(
        new TypeError(`setLocalDescription: "${description.type}" is not a description type`),
      );
    }
    return this.enqueue(async () => {
      this.localDescriptionsInFlight += 1;
      try {
        await this.applyLocalDescription(description);
      } finally {
        this.localDescriptionsInFlight -= 1;
        this.scheduleCandidateFlush();
      }
    });
  }

  setRemoteDescription(description: SessionDescription): Promise<void> {
    return this.enqueue(async () => {
      await this.raw.setRemoteDescription({ type: description.type, sdp: description.sdp });
      this.afterDescriptionApplied();
    });
  }

  addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    return this.enqueue(async () => {
      // werift quietly buffers candidates that arrive before the remote description; a browser refuses
      // them, and the call machine must not come to rely on the lenient behaviour.
      if (!this.raw.remoteDescription) {
        throw new DOMException('addIceCandidate: no remote description yet', 'InvalidStateError');
      }
      await this.raw.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        usernameFragment: candidate.usernameFragment ?? null,
      });
    });
  }

  restartIce(): void {
    if (this.closed) return;
    this.iceRestartRequested = true;
    this.updateNegotiationNeeded();
  }

  /** Closes at once, like a browser: states read `closed` and no event fires after this call. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reportedIceState = 'closed';
    this.pendingCandidates.length = 0;
    this.closing = this.raw.close();
    // The teardown is awaited by whenClosed(); a close nobody waits for must not be an unhandled rejection.
    this.closing.catch(() => undefined);
  }

  /** werift's report is a Map of W3C RTCStats dictionaries, as a browser's is: it fits the port as it is. */
  getStats(): Promise<StatsReportPort> {
    if (this.closed) return Promise.reject(closedError());
    return this.raw.getStats();
  }

  /** Resolves once werift has released its sockets (close() itself returns at once, as in a browser). */
  whenClosed(): Promise<void> {
    return this.closing;
  }

  /**
   * Reports `state` as if the network had changed, and fires iceconnectionstatechange. werift never reports
   * `disconnected`, and reports `failed` only after 30 s without consent (RFC 7675), so tests of the
   * reconnecting path say when the network "broke". A later ICE restart reports werift's real states again.
   */
  forceIceConnectionState(state: 'disconnected' | 'failed'): void {
    if (this.closed || this.reportedIceState === state) return;
    this.reportedIceState = state;
    this.dispatch('iceconnectionstatechange', { type: 'iceconnectionstatechange' });
  }

  addEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: Listener<PeerConnectionEventMap[K]>,
  ): void {
    this.listeners[type].add(listener);
  }

  removeEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: Listener<PeerConnectionEventMap[K]>,
  ): void {
    this.listeners[type].delete(listener);
  }

  private dispatch<K extends keyof PeerConnectionEventMap>(type: K, event: PeerConnectionEventMap[K]): void {
    if (this.closed) return;
    for (const listener of [...this.listeners[type]]) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    this.pendingOperations += 1;
    // As in a browser, an operation that only gets its turn after close() never settles.
    const run = this.chain.then(() => (this.closed ? new Promise<T>(() => undefined) : operation()));
    const settle = () => {
      this.pendingOperations -= 1;
      if (this.pendingOperations === 0 && this.updateNegotiationNeededOnEmptyChain) {
        this.updateNegotiationNeededOnEmptyChain = false;
        this.updateNegotiationNeeded();
      }
    };
    this.chain = run.then(settle, settle);
    return run;
  }

  private createRawOffer(iceRestart: boolean): Promise<RTCSessionDescription> {
    // restartIce() is remembered here rather than in werift, whose flag a rolled-back offer would consume.
    return this.raw.createOffer({ iceRestart: iceRestart || this.iceRestartRequested });
  }

  private async applyLocalDescription(description?: { type: string; sdp?: string }): Promise<void> {
    if (description?.type === 'rollback') {
      await this.raw.setLocalDescription({ type: 'rollback' });
      this.afterDescriptionApplied();
      return;
    }
    // The implicit form (no description, or no SDP) is built here so that it honours restartIce().
    const explicit = description?.sdp ? description : undefined;
    const generated = explicit ?? (await this.implicitDescription(description?.type));
    const type = generated.type;
    if (!isLocalDescriptionType(type) || type === 'rollback') {
      throw new TypeError(`setLocalDescription: "${type}" is not a description type`);
    }
    await this.raw.setLocalDescription({ type, sdp: generated.sdp ?? '' });
    if (type === 'offer') this.iceRestartRequested = false;
    this.afterDescriptionApplied();
  }

  private async implicitDescription(type: string | undefined): Promise<{ type: string; sdp?: string }> {
    const offering =
      type === 'offer' ||
      (type === undefined &&
        ['stable', 'have-local-offer', 'have-remote-pranswer'].includes(this.raw.signalingState));
    return offering ? this.createRawOffer(false) : this.raw.createAnswer();
  }

  private afterDescriptionApplied(): void {
    if (this.raw.signalingState !== 'stable') return;
    // Back to stable: the spec re-checks, and fires again if negotiation is still needed.
    this.negotiationNeeded = false;
    this.updateNegotiationNeeded();
    this.resumeRestartedIce();
  }

  /**
   * werift starts ICE checks only while DTLS is not yet connected, so after an ICE restart nobody starts the
   * new checks and media stops. Once the restart's offer/answer completed, start them here.
   */
  private resumeRestartedIce(): void {
    for (const dtls of this.raw.dtlsTransports) {
      const ice = dtls.iceTransport;
      const waiting = ice.state === 'new' || ice.state === 'completed';
      if (dtls.state === 'connected' && waiting && ice.getRemoteParameters()) {
        // A failure here shows as iceconnectionstatechange → failed; the promise has nothing to add.
        ice.start().catch(() => undefined);
      }
    }
  }

  private updateNegotiationNeeded(): void {
    if (this.pendingOperations > 0) {
      this.updateNegotiationNeededOnEmptyChain = true;
      return;
    }
    setImmediate(() => {
      if (this.closed) return;
      if (this.pendingOperations > 0) {
        this.updateNegotiationNeededOnEmptyChain = true;
        return;
      }
      if (this.raw.signalingState !== 'stable') return;
      if (!isNegotiationNeeded(this.raw, this.iceRestartRequested)) {
        this.negotiationNeeded = false;
        return;
      }
      if (this.negotiationNeeded) return;
      this.negotiationNeeded = true;
      this.dispatch('negotiationneeded', { type: 'negotiationneeded' });
    });
  }

  private onRawCandidate(candidate: RTCIceCandidate | undefined): void {
    if (this.closed) return;
    if (candidate && !isLoopbackCandidate(candidate.candidate)) return;
    this.pendingCandidates.push(candidate ? candidateEvent(candidate) : { candidate: null });
    this.scheduleCandidateFlush();
  }

  private scheduleCandidateFlush(): void {
    if (this.candidateFlushScheduled || this.localDescriptionsInFlight > 0) return;
    if (this.pendingCandidates.length === 0) return;
    this.candidateFlushScheduled = true;
    // A macrotask: whoever awaited setLocalDescription() runs (and sends the description) first.
    setImmediate(() => {
      this.candidateFlushScheduled = false;
      if (this.localDescriptionsInFlight > 0) return;
      for (const event of this.pendingCandidates.splice(0)) this.dispatch('icecandidate', event);
    });
  }

  private onRawIceState(raw: IceConnectionState): void {
    if (this.closed) return;
    const next = nextReportedIceState(this.reportedIceState, raw);
    if (next === this.reportedIceState) return;
    this.reportedIceState = next;
    this.dispatch('iceconnectionstatechange', { type: 'iceconnectionstatechange' });
  }

  private onRawTrack(event: RTCTrackEvent): void {
    if (this.closed || this.announcedRemoteTracks.has(event.track)) return;
    this.announcedRemoteTracks.add(event.track);
    this.remoteStream ??= new MediaStream({ id: event.streams[0]?.id ?? `remote-${randomUUID()}` });
    if (!this.remoteStream.getTracks().includes(event.track)) this.remoteStream.addTrack(event.track);
    this.dispatch('track', { track: event.track, streams: [this.remoteStream] });
  }
}

export interface WeriftPeerConnectionFactory {
  (config: PeerConnectionConfig): WeriftPeerConnection;
  /** Every connection made so far, in order. */
  readonly connections: readonly WeriftPeerConnection[];
  /** Closes every connection made so far and waits until their sockets are released (for afterEach). */
  closeAll(): Promise<void>;
}

/**
 * A PeerConnectionFactory making loopback-only werift peers. The configured `iceServers` and
 * `iceTransportPolicy` reach werift: tests pass `[]` (no STUN server is reachable; host candidates on
 * 127.0.0.1 are all two local peers need) or a coturn they started on 127.0.0.1.
 */
export function createWeriftPeerConnectionFactory(): WeriftPeerConnectionFactory {
  const connections: WeriftPeerConnection[] = [];
  const factory = (config: PeerConnectionConfig): WeriftPeerConnection => {
    const pc = new WeriftPeerConnection(config);
    connections.push(pc);
    return pc;
  };
  const closeAll = async (): Promise<void> => {
    for (const pc of connections) pc.close();
    await Promise.all(connections.map((pc) => pc.whenClosed()));
  };
  return Object.assign(factory, { connections, closeAll });
}
