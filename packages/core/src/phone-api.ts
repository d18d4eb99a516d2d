// What a phone is to an app: the options `createPhone` takes, the methods and observables it gives, and the
// events it emits. The implementation is phone.ts; the in-call controls are documented in in-call-controls.ts.
import type { Observable } from 'rxjs';
import type { InspectionEvent, Observer } from 'xstate';
import type { CallTimeouts } from './call/context.js';
import type { CallStats } from './call-stats.js';
import type { CallState, CallView } from './call-view.js';
import type { EndReason } from './end-reason.js';
import type { HandsetError } from './errors.js';
import type { InCallControls } from './in-call-controls.js';
import type {
  Clock,
  EnumerateDevices,
  GetDisplayMedia,
  GetUserMedia,
  IceServerConfig,
  IceTransportPolicy,
  PeerConnectionFactory,
} from './ports.js';
import type { CallMetadata, MediaKinds } from './protocol.js';
import type { SignalingTransport, TransportStatus } from './transport.js';
import type { TransportError } from './transport-error.js';

/** What `createPhone` takes: who the phone is, how it reaches others (`transport`) and the platform ports. */
export interface PhoneOptions {
  /** Who this phone is. With a server, the id its credentials prove; it addresses every message. */
  userId: string;
  transport: SignalingTransport;
  peerConnectionFactory: PeerConnectionFactory;
  getUserMedia: GetUserMedia;
  /** Opens a screen for `startScreenShare`; without it screen sharing fails `screen-share-failed`. */
  getDisplayMedia?: GetDisplayMedia;
  /** Lists devices for `listDevices`; without it the list is empty. */
  enumerateDevices?: EnumerateDevices;
  /**
   * The ICE servers of every call. When absent, the transport's `iceServers$` (the server's fresh TURN
   * credentials) are used, the latest for each new call; with neither, none.
   */
  iceServers?: IceServerConfig[];
  /**
   * `relay` forces every call through TURN (privacy; tests). Default: the platform's (`all`). A relay-only
   * call that gets no relay candidate (refused credentials) ends `connection-failed` after a `turn-refused`
   * warning, once gathering ends empty or after `relayGatheringTimeoutMs` (default 5000).
   */
  iceTransportPolicy?: IceTransportPolicy;
  relayGatheringTimeoutMs?: number;
  timeouts?: Partial<CallTimeouts>;
  /** ICE restarts tried before a lost connection ends the call (default 3). */
  maxIceRestarts?: number;
  /** Handed to XState's `createActor`: `createBrowserInspector().inspect`, or any inspection observer. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** XState's clock for every call timer (tests pass a simulated one). */
  clock?: Clock;
  /** This device's id; several devices may share a user id. Random by default. */
  deviceId?: string;
}

/** What `makeCall` takes besides the peer and media. */
export interface CallOptions {
  /** App data for the callee (JSON, at most `PROTOCOL_LIMITS.maxMetadataBytes` as JSON). */
  metadata?: CallMetadata;
}

/**
 * What the phone tells the app through `events$`: incoming calls, call changes, transport status and errors.
 */
export type PhoneEvent =
  | {
      type: 'incoming-call';
      callId: string;
      peerId: string;
      media: MediaKinds;
      /** The caller's `makeCall` metadata, if it sent any. */
      metadata?: CallMetadata;
    }
  /** An in-call message from the peer (`sendMessage` there). */
  | { type: 'message'; callId: string; text: string }
  | { type: 'state-changed'; callId: string | null; state: CallState; previous: CallState }
  | { type: 'call-ended'; callId: string | null; reason: EndReason }
  | { type: 'protocol-error'; error: HandsetError }
  | { type: 'call-warning'; callId: string | null; error: HandsetError }
  /** A port threw (code `port-failed`, the thrown value as `cause`); the call ended `platform-error` or `media-failed`. */
  | { type: 'call-error'; callId: string | null; error: HandsetError }
  | { type: 'transport-status'; status: TransportStatus }
  /** Every error the transport reports; a permanent one ends a call being placed at once. */
  | { type: 'transport-error'; error: TransportError };

/**
 * What `createPhone` returns: the whole public surface of a phone — calls, their views and events, and
 * `dispose()`.
 */
export interface Phone extends InCallControls {
  readonly userId: string;
  readonly deviceId: string;
  /**
   * Starts a call and returns its id. `options.metadata` (bounded JSON) travels with the invite: the callee
   * reads it on `incoming-call` and both call views show it. Throws `invalid-state` if a call is already under
   * way, and `invalid-argument` for a peer id the protocol refuses, this phone's own user id, no media, or
   * metadata that is not JSON within `PROTOCOL_LIMITS.maxMetadataBytes` / `maxMetadataDepth`.
   */
  makeCall(peerId: string, media?: MediaKinds, options?: CallOptions): string;
  /** Answers the ringing call, with the media the caller asked for unless told otherwise. */
  answerCall(media?: MediaKinds): void;
  /** Declines the ringing call; the caller sees `declined`. */
  rejectCall(): void;
  /** Ends whatever call is under way (cancel, decline or hang up, as fits its state). No call: no-op. */
  hangupCall(): void;
  /** The current call, or the last one until the next begins. Emits on every change. */
  readonly call$: Observable<CallView>;
  readonly events$: Observable<PhoneEvent>;
  /**
   * The connected call's statistics, one sample every `timeouts.statsIntervalMs` (1 s) while it is connected:
   * round-trip time, loss, jitter, bitrates, codecs, path and quality. Nothing while no call is connected.
   */
  readonly stats$: Observable<CallStats>;
  /** Ends the current call and stops listening to the transport (the transport itself stays open). */
  dispose(): void;
}
