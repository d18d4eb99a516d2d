// `@handset/core/machine`: the call statechart and its parts, for tools and tests that drive or draw the
// machine itself. Apps use `createPhone` from `@handset/core` instead.
/** @module @handset/core/machine */

export type { LinkCondition } from '../link-condition.js';
export { callMachine } from './call-machine.js';
export {
  type CallContext,
  type CallDirection,
  type CallInput,
  type CallPorts,
  type CallSettings,
  type CallTimeouts,
  DEFAULT_TIMEOUTS,
  type LocalTracks,
} from './context.js';
export type {
  CallEmitted,
  CallEvent,
  CallEventOf,
  CallEventType,
  DeviceKind,
  LocalTrackKind,
  PortName,
  UserEvent,
} from './events.js';
export { remainingLifetime } from './guards.js';
export { localMediaOf, MEDIA_PLACES } from './local-media.js';
export {
  type PeerConnectionSignal,
  RemoteDescriptionError,
  type RenegotiationOutput,
} from './negotiation.js';
export { type CallAddress, type RemoteEvent, routeEnvelope } from './signal-routing.js';
