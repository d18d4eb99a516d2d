// Every event a call machine can receive, as one closed union: user commands, validated network messages,
// peer-connection signals, and the machine's own internal requests.
import type { CallStats } from '../call-stats.js';
import type { HandsetError } from '../errors.js';
import type { LinkCondition } from '../link-condition.js';
import type { MediaTrackPort } from '../ports.js';
import type { CallMetadata, Envelope, MediaKinds } from '../protocol.js';
import type { PeerConnectionSignal } from './negotiation.js';
import type { RemoteEvent } from './signal-routing.js';

export type UserEvent =
  /** `link`: the signaling link as the phone sees it when the user calls (`up` if not given). */
  | {
      type: 'user.call';
      callId: string;
      peerId: string;
      media: MediaKinds;
      link?: LinkCondition;
      /** Already checked by the phone (`metadataProblem`). */
      metadata?: CallMetadata;
    }
  | { type: 'user.answer'; media?: MediaKinds }
  | { type: 'user.reject' }
  | { type: 'user.hangup' }
  /** Mute (`on: false`) or unmute; before media exists it is remembered. */
  | { type: 'user.microphone'; on: boolean }
  | { type: 'user.camera'; on: boolean }
  | { type: 'user.hold' }
  | { type: 'user.resume' }
  | { type: 'user.startScreenShare' }
  | { type: 'user.stopScreenShare' }
  | { type: 'user.switchDevice'; kind: DeviceKind; deviceId: string }
  | { type: 'user.startVideo' }
  | { type: 'user.stopVideo' }
  /** Already checked by the phone against `maxCallMessageBytes`. */
  | { type: 'user.message'; text: string };

/** The input devices a call can switch between. */
export type DeviceKind = 'audioinput' | 'videoinput';

/** A local track the call watches: the microphone's, the camera's, or a shared screen's. */
export type LocalTrackKind = 'microphone' | 'camera' | 'screen';

export type CallEvent =
  | UserEvent
  | { type: 'signal'; envelope: Envelope }
  | RemoteEvent
  | PeerConnectionSignal
  /** The phone's view of the signaling link changed. */
  | { type: 'link.changed'; link: LinkCondition }
  /** A port threw synchronously while the machine called it; the machine reports it and ends the call. */
  | { type: 'port.failed'; port: PortName; error: unknown }
  /** The transport's send threw; the phone has already reported it, the call ends. */
  | { type: 'send.failed' }
  | { type: 'busy.windowClosed' }
  /** The stats sampler read a report (stats-sampler.ts); the machine passes it on as a `stats` emitted event. */
  | { type: 'stats.sampled'; stats: CallStats }
  | { type: 'negotiation.restartIce' }
  /** The negotiation region took an ICE-restart request (it is offering one). */
  | { type: 'negotiation.iceRestartTaken' }
  /** The negotiation region is back in `stable`: a request it could not take earlier can be made again. */
  | { type: 'negotiation.settled' }
  /** Directions or tracks changed (hold, video, screen in an audio call): an offer is needed. */
  | { type: 'negotiation.offerWanted' }
  /** The request region asks the negotiation region for that offer. */
  | { type: 'negotiation.offer' }
  | { type: 'negotiation.offerTaken' }
  /** The answer to our own offer is applied (an offer rolled back by glare never gets this). */
  | { type: 'negotiation.offerAnswered' }
  /** A local track ended by itself: a device unplugged, or the browser's "Stop sharing". */
  | { type: 'track.ended'; kind: LocalTrackKind; track: MediaTrackPort }
  | { type: 'channel.open' }
  | { type: 'channel.closed' }
  /** One frame from the peer's data channel, unchecked. */
  | { type: 'channel.message'; data: unknown }
  /** Local media arrived: switches set before it (mute, camera off) are applied to it. */
  | { type: 'media.acquired' }
  /** What this side sends changed: the peer is told while the call is connected. */
  | { type: 'media.changed' }
  /** The peer's media-state says it holds the call, or no longer does. */
  | { type: 'peer.held' }
  | { type: 'peer.resumed' }
  /** Sharing stopped: the camera comes back if it is switched on. */
  | { type: 'screen.stopped' };

/** What a call actor emits (`actor.on('stats', ...)`): each sample of a connected call's statistics. */
export type CallEmitted =
  | { type: 'stats'; stats: CallStats }
  /** An in-call message from the peer. */
  | { type: 'message'; text: string }
  /** How an asynchronous control ended (null: it worked): the phone settles its promise with it. */
  | { type: 'control.result'; control: 'screen-share' | 'switch-device'; error: HandsetError | null };

export type PortName = 'peer-connection' | 'get-user-media' | 'send' | 'get-display-media';

export type CallEventType = CallEvent['type'];
export type CallEventOf<T extends CallEventType> = Extract<CallEvent, { type: T }>;
