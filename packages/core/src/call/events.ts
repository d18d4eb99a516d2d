// Every event a call machine can receive, as one closed union: user commands, validated network messages,
// peer-connection signals, and the machine's own internal requests.
import type { CallStats } from '../call-stats.js';
import type { LinkCondition } from '../link-condition.js';
import type { Envelope, MediaKinds } from '../protocol.js';
import type { PeerConnectionSignal } from './negotiation.js';
import type { RemoteEvent } from './signal-routing.js';

export type UserEvent =
  /** `link`: the signaling link as the phone sees it when the user calls (`up` if not given). */
  | { type: 'user.call'; callId: string; peerId: string; media: MediaKinds; link?: LinkCondition }
  | { type: 'user.answer'; media?: MediaKinds }
  | { type: 'user.reject' }
  | { type: 'user.hangup' };

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
  | { type: 'candidates.flush' }
  | { type: 'busy.windowClosed' }
  /** The stats sampler read a report (stats-sampler.ts); the machine passes it on as a `stats` emitted event. */
  | { type: 'stats.sampled'; stats: CallStats }
  | { type: 'negotiation.restartIce' }
  /** The negotiation region took an ICE-restart request (it is offering one). */
  | { type: 'negotiation.iceRestartTaken' }
  /** The negotiation region is back in `stable`: a request it could not take earlier can be made again. */
  | { type: 'negotiation.settled' };

/** What a call actor emits (`actor.on('stats', ...)`): each sample of a connected call's statistics. */
export type CallEmitted = { type: 'stats'; stats: CallStats };

export type PortName = 'peer-connection' | 'get-user-media' | 'send';

export type CallEventType = CallEvent['type'];
export type CallEventOf<T extends CallEventType> = Extract<CallEvent, { type: T }>;
