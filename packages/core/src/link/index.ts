// The link lifecycle every transport drives: the statechart and the runner that turns it into status$/errors$.
/** @module @handset/core/link */
export {
  createLink,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type Link,
  type LinkConnection,
  type LinkOptions,
  type LinkWire,
  statusOfLink,
} from './link.js';
export {
  type ConnectionCommand,
  type LinkContext,
  type LinkEmitted,
  type LinkEvent,
  type LinkHeartbeat,
  type LinkInput,
  linkMachine,
  type WireReport,
} from './link-machine.js';
export { type ResolvedToken, resolveToken, type TokenSource, tokenSourceProblem } from './token-source.js';
