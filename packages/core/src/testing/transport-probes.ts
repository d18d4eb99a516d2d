// Small probes for tests of a signaling transport — an envelope to send, a wait for `open` — free of any
// test runner, so `@handset/core/testing` loads in any app or runner.
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { createEnvelope, type Envelope } from '../protocol.js';
import type { SignalingTransport } from '../transport.js';

/** How long a probe waits for a transport before it fails (generous: shared CI machines are slow). */
export const WAIT_MS = 5_000;

/** A valid `ringing` envelope from one user to another, with a fresh call id unless one is given. */
export function ringingFrom(from: string, to: string, callId = nanoid()): Envelope {
  return createEnvelope({ type: 'ringing', callId, from, fromDevice: `${from}-device`, to }, nanoid());
}

/** Resolves when the transport's status is `open`; rejects after 5 s (`WAIT_MS`). */
export function waitOpen(transport: SignalingTransport): Promise<unknown> {
  return firstValueFrom(
    transport.status$.pipe(
      filter((s) => s === 'open'),
      timeout(WAIT_MS),
    ),
  );
}
