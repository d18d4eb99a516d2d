// The signaling transport port: how a phone reaches other users. Adapters (WebSocket, MQTT, in-memory)
// implement it; the call machine never knows which one it has.
import type { Observable } from 'rxjs';
import type { IceServerConfig } from './ports.js';
import type { Envelope } from './protocol.js';
import type { TransportError } from './transport-error.js';

/**
 * - `connecting`: first connection attempt, nothing sent yet.
 * - `open`: envelopes flow.
 * - `reconnecting`: the link dropped; sends are queued and flushed in order once open again.
 * - `closed`: closed for good, by `close()` or after a permanent `TransportError` (refused credentials,
 *   options that cannot work, a reconnect policy that gave up).
 */
export type TransportStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * The port every signaling adapter implements: untrusted frames in, envelopes out, status and errors as
 * observables.
 */
export interface SignalingTransport {
  /**
   * Frames addressed to this user, exactly as they came off the wire. They are untrusted: the phone
   * decodes each with `decodeEnvelope` and reports the bad ones as typed protocol errors.
   */
  readonly incoming$: Observable<string>;
  readonly status$: Observable<TransportStatus>;
  /**
   * Every failure of the link or of a message, as it happens. A permanent one (`error.permanent`) is
   * followed by status `closed`; the phone ends a call at once with it instead of waiting.
   */
  readonly errors$: Observable<TransportError>;
  /**
   * Hands an envelope to the transport. Never throws and never waits: while the link is down the
   * transport queues it (hang-up must not wait for the server). After `closed` it is dropped.
   */
  send(envelope: Envelope): void;
  /**
   * Optional: the ICE servers the signaling service hands this user (TURN with short-lived credentials),
   * replaying the latest to a new subscriber and emitting fresh ones before the old expire. The phone
   * uses them for every call unless the app passes its own `iceServers`. Never log them.
   */
  readonly iceServers$?: Observable<IceServerConfig[]>;
  /** Closes the link for good and completes its observables. */
  close(): void;
}
