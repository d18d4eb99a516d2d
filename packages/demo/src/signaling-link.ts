// Opens the chosen transport to the demo server this page came from: WebSocket signaling at `/signal`
// (with a dev token from `/demo/token`) or MQTT over WebSocket at `/mqtt`. One origin, one port.
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createWsTransport } from '@handset/adapter-ws';
import type { IceServerConfig, SignalingTransport } from '@handset/core';
import type { Observable } from 'rxjs';

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

/**
 * The demo relay's servers for this user (`[]` without a relay). A failed request throws: the MQTT transport
 * keeps the last good set and asks again in 30 s.
 */
async function fetchIceServers(userId: string): Promise<IceServerConfig[]> {
  const response = await fetch(`/demo/ice-servers?user=${encodeURIComponent(userId)}`);
  if (!response.ok) throw new Error(`the demo server refused ICE servers: HTTP ${response.status}`);
  return (await response.json()) as IceServerConfig[];
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
  // The demo's broker runs in dev mode: it believes the user id, so no token is needed. It hands out no TURN
  // credentials either: the transport asks the demo server (re-asked before they expire), as a mosquitto
  // deployment asks its token service.
  const transport = createMqttTransport({
    url: sameOriginSocketUrl('/mqtt'),
    userId,
    iceServers: () => fetchIceServers(userId),
  });
  return { kind, transport, errors$: transport.errors$ };
}
