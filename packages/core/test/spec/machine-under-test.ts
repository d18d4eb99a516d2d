// The one place the specification's test reaches the machine: when the machine moves, change this line only.
export {
  type CallPorts,
  type CallTimeouts,
  callMachine,
  DEFAULT_TIMEOUTS,
  RemoteDescriptionError,
} from '../../src/call/index.js';
