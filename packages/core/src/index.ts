export {
  type CallContext,
  type CallDirection,
  type CallEvent,
  type CallInput,
  type CallPorts,
  type CallSettings,
  type CallTimeouts,
  callMachine,
  DEFAULT_TIMEOUTS,
  type UserEvent,
} from './call-machine.js';
export * from './call-view.js';
export * from './end-reason.js';
export * from './errors.js';
export * from './phone.js';
export * from './ports.js';
export * from './protocol.js';
export { type CallAddress, type RemoteEvent, routeEnvelope } from './signal-routing.js';
export * from './transport.js';
