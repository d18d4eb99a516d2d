// One client connection as the load engines see it, whatever the wire (WebSocket to a server, or the
// MQTT transport through a broker).
import type { Envelope } from '@handset/core';

/** The fields of a received envelope the engines look at. */
export interface Received {
  id: string;
  type: string;
  callId: string;
}

export interface Link {
  readonly userId: string;
  send(envelope: Envelope): void;
  /** Replaced by each engine; called once per envelope that reaches this user. */
  onEnvelope: (message: Received) => void;
  close(): void;
}

/** Counters every link kind feeds: refusals and drops would make a figure meaningless. */
export const linkProblems = { errorFrames: 0, unexpectedCloses: 0, lastError: '' };
