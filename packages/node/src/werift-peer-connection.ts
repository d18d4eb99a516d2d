// A werift RTCPeerConnection dressed as a browser's, so the call machine runs over real ICE, DTLS and SRTP
// in Node. Each place where werift 0.24.4 behaves in a way the machine could notice is evened out here.

import { randomUUID } from 'node:crypto';
import type {
  DataChannelInit,
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
  TransceiverInit,
} from '@handset/core';
import {
  MediaStream,
  type MediaStreamTrack,
  type RTCDataChannel,
  type RTCIceCandidate,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  type RTCSessionDescription,
  type RTCTrackEvent,
} from 'werift';
import { CandidateQueue } from './candidate-queue.js';
import { endDtlsRetransmissions } from './dtls-retransmission.js';
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
import { asWeriftTrack, WeriftTransceiver } from './werift-transceiver.js';

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

  private readonly candidates = new CandidateQueue((event) => this.dispatch('icecandidate', event));

  // werift repeats `track` on every renegotiation and builds a new one-track MediaStream each time. The
  // call shows one remote stream, so every remote track of this connection is gathered into one stream
  // object, whatever streams (or none) the remote peer put them in; each track is announced once.
  private readonly announcedRemoteTracks = new Set<MediaStreamTrack>();
  private remoteStream: MediaStream | null = null;

  private readonly transceivers = new WeakMap<RTCRtpTransceiver, WeriftTransceiver>();
  private readonly loopbackOnly: boolean;

  /** `loopbackOnly`: gather and accept only 127.0.0.1 candidates (tests; a bot beside its peer). */
  constructor(config?: PeerConnectionConfig, options: { loopbackOnly?: boolean } = {}) {
    this.loopbackOnly = options.loopbackOnly ?? false;
    this.raw = new RTCPeerConnection(weriftConfig(config, this.loopbackOnly));
    this.raw.onIceCandidate.subscribe((candidate) => this.onRawCandidate(candidate));
    this.raw.iceConnectionStateChange.subscribe((state) => this.onRawIceState(state));
    this.raw.addEventListener('track', (event: RTCTrackEvent) => this.onRawTrack(event));
    // Wrapped as soon as they exist (local or from a remote offer), so every sender is gated on its
    // negotiated direction even if nobody ever calls getTransceivers().
    this.raw.onTransceiverAdded.subscribe((raw) => this.transceiverFor(raw));
    this.raw.onRemoteTransceiverAdded.subscribe((raw) => this.transceiverFor(raw));
  }

  /** Passes new ICE servers (and policy) to werift; its next gathering (an ICE restart) uses them. */
  setConfiguration(config: PeerConnectionConfig): void {
    if (this.closed) throw closedError();
    const { iceServers, iceTransportPolicy } = weriftConfig(config, this.loopbackOnly);
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
    const sender = this.raw.addTrack(asWeriftTrack(track, 'addTrack'), ...weriftStreams(streams));
    this.updateNegotiationNeeded();
    return sender;
  }

  /** Every transceiver in m-line order; setting a direction fires negotiationneeded as a browser does. */
  getTransceivers(): WeriftTransceiver[] {
    return this.raw.getTransceivers().map((raw) => this.transceiverFor(raw));
  }

  addTransceiver(
    trackOrKind: MediaTrackPort | 'audio' | 'video',
    init: TransceiverInit = {},
  ): WeriftTransceiver {
    if (this.closed) throw closedError();
    if (init.direction === 'stopped') throw new TypeError('addTransceiver: "stopped" is not a direction');
    const track =
      typeof trackOrKind === 'string' ? trackOrKind : asWeriftTrack(trackOrKind, 'addTransceiver');
    const raw = this.raw.addTransceiver(track, {
      direction: init.direction ?? 'sendrecv',
      streams: weriftStreams(init.streams ?? []),
    });
    this.updateNegotiationNeeded();
    return this.transceiverFor(raw);
  }

  /**
   * A data channel; `{ negotiated: true, id }` on both sides needs no in-band open handshake. werift's
   * channel is an EventEmitter whose `message` event carries `{ data }`: it fits DataChannelPort as it is.
   */
  createDataChannel(label: string, init: DataChannelInit): RTCDataChannel {
    if (this.closed) throw closedError();
    const channel = this.raw.createDataChannel(label, init);
    this.updateNegotiationNeeded();
    return channel;
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
    return this.enqueue(() => this.candidates.whileDescribing(() => this.applyLocalDescription(description)));
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
    this.candidates.clear();
    endDtlsRetransmissions(this.raw);
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
    if (candidate && this.loopbackOnly && !isLoopbackCandidate(candidate.candidate)) return;
    this.candidates.push(candidate ? candidateEvent(candidate) : { candidate: null });
  }

  private onRawIceState(raw: IceConnectionState): void {
    if (this.closed) return;
    const next = nextReportedIceState(this.reportedIceState, raw);
    if (next === this.reportedIceState) return;
    this.reportedIceState = next;
    this.dispatch('iceconnectionstatechange', { type: 'iceconnectionstatechange' });
  }

  private transceiverFor(raw: RTCRtpTransceiver): WeriftTransceiver {
    let transceiver = this.transceivers.get(raw);
    if (!transceiver) {
      transceiver = new WeriftTransceiver(raw, () => this.updateNegotiationNeeded());
      this.transceivers.set(raw, transceiver);
    }
    return transceiver;
  }

  private onRawTrack(event: RTCTrackEvent): void {
    if (this.closed || this.announcedRemoteTracks.has(event.track)) return;
    this.announcedRemoteTracks.add(event.track);
    this.remoteStream ??= new MediaStream({ id: event.streams[0]?.id ?? `remote-${randomUUID()}` });
    if (!this.remoteStream.getTracks().includes(event.track)) this.remoteStream.addTrack(event.track);
    this.dispatch('track', { track: event.track, streams: [this.remoteStream] });
  }
}

function weriftStreams(streams: readonly MediaStreamPort[]): MediaStream[] {
  return streams.map((stream) => {
    if (!(stream instanceof MediaStream)) {
      throw new TypeError('streams must be werift MediaStreams (see createNodePorts)');
    }
    return stream;
  });
}
