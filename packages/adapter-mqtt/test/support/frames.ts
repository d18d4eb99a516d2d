// Small waits on a transport's streams, bounded so a broken transport fails the test instead of hanging it,
// and the invite the tests send.
import {
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  type SignalingTransport,
  type TransportStatus,
} from '@handset/core';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';

export const WAIT_MS = 10_000;

export function nextFrames(transport: SignalingTransport, count: number): Promise<string[]> {
  return firstValueFrom(transport.incoming$.pipe(take(count), toArray(), timeout(WAIT_MS)));
}

export async function nextEnvelope(transport: SignalingTransport): Promise<Envelope> {
  const [frame] = await nextFrames(transport, 1);
  const decoded = decodeEnvelope(frame!);
  if (!decoded.ok) throw decoded.error;
  return decoded.envelope;
}

export function statusReached(transport: SignalingTransport, status: TransportStatus): Promise<unknown> {
  return firstValueFrom(
    transport.status$.pipe(
      filter((s) => s === status),
      timeout(WAIT_MS),
    ),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An audio invite from `from` to `to`, as a phone would send it. */
export function invite(from: string, to: string, lifetimeMs = 30_000, callId = nanoid()): Envelope {
  return createEnvelope(
    {
      type: 'invite',
      callId,
      from,
      fromDevice: `${from}-d`,
      to,
      sdp: 'v=0',
      media: { audio: true, video: false },
      lifetimeMs,
    },
    nanoid(),
  );
}
