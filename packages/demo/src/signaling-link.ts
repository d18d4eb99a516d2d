// Opens the chosen transport to the demo server this page came from: WebSocket signaling at `/signal`
// (with a dev token from `/demo/token`) or MQTT over WebSocket at `/mqtt`. One origin, one port.
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createWsTransport } from '@handset/adapter-ws';
import type { IceServerConfig, SignalingTransport } from '@handset/core';
import { from, type Observable, switchMap, timer } from 'rxjs';

export type TransportKind = 'ws' | 'mqtt';

export const TRANSPORT_LABELS: Record<TransportKind, string> = { ws: 'WebSocket', mqtt: 'MQTT' };

export interface SignalingLink {
  readonly kind: TransportKind;
  readonly transport: SignalingTransport;
  /** Problems the user should hear of (refused credentials, server errors...), as plain messages. */
  readonly errors$: Observable<{ message: string }>;
}

export function isTransportKind(value: string | null): value is TransportKind {
  return value === 'ws' || value === 'mqtt';
}

function sameOriginSocketUrl(path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${path}`;
}

async function fetchDevToken(userId: string): Promise<string> {
  const response = await fetch(`/demo/token?user=${encodeURIComponent(userId)}`);
  if (!response.ok)
    throw new Error(`the demo server refused a token for ${userId}: ${await response.text()}`);
  return response.text();
}

/** Three quarters of the demo relay's one-hour credentials. */
const ICE_REFRESH_MS = 45 * 60 * 1000;

/** The demo relay's servers for this user (`[]` without a relay, or when the demo server cannot be asked). */
async function fetchIceServers(userId: string): Promise<IceServerConfig[]> {
  try {
    const response = await fetch(`/demo/ice-servers?user=${encodeURIComponent(userId)}`);
    return response.ok ? ((await response.json()) as IceServerConfig[]) : [];
  } catch {
    return [];
  }
}

export function openSignalingLink(kind: TransportKind, userId: string): SignalingLink {
  if (kind === 'ws') {
    const transport = createWsTransport({
      url: sameOriginSocketUrl('/signal'),
      userId,
      // Asked again before every reconnect, so an expired token is replaced.
      token: () => fetchDevToken(userId),
    });
    return { kind, transport, errors$: transport.errors$ };
  }
  // The demo's broker runs in dev mode: it believes the user id, so no token is needed.
  const mqtt = createMqttTransport({ url: sameOriginSocketUrl('/mqtt'), userId });
  // The broker hands out no TURN credentials: the page asks the demo server, as often as WebSocket refreshes.
  const transport: SignalingTransport = {
    incoming$: mqtt.incoming$,
    status$: mqtt.status$,
    errors$: mqtt.errors$,
    send: (envelope) => mqtt.send(envelope),
    close: () => mqtt.close(),
    iceServers$: timer(0, ICE_REFRESH_MS).pipe(switchMap(() => from(fetchIceServers(userId)))),
  };
  return { kind, transport, errors$: mqtt.errors$ };
}
