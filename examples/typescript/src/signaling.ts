// Where the signaling server is (`?signal=` or the dev server's default) and how this app logs in to it:
// `handset-signal --dev` hands a token for any ID at /dev-token. A real app asks its own login instead.
import { createWsTransport } from '@handset/adapter-ws';
import type { PhoneOptions } from '@handset/core';

const signalUrl = new URLSearchParams(location.search).get('signal') ?? 'http://127.0.0.1:8787/';

async function devToken(userId: string): Promise<string> {
  const response = await fetch(new URL(`/dev-token?user=${encodeURIComponent(userId)}`, signalUrl));
  if (!response.ok) throw new Error(`no token for ${userId}: HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

export function phoneOptions(userId: string): PhoneOptions {
  return {
    userId,
    transport: createWsTransport({ url: signalUrl, userId, token: () => devToken(userId) }),
    peerConnectionFactory: (config) => new RTCPeerConnection(config),
    getUserMedia: (media) => navigator.mediaDevices.getUserMedia(media),
  };
}
