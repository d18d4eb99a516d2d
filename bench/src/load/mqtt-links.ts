// Load-client connections through Handset's MQTT transport, to the embedded broker (token) or to
// mosquitto (password file): the same transport code either way, only the credentials differ.
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createToken } from '@handset/adapter-mqtt/broker';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { type Link, linkProblems, type Received } from './link.js';

export type MqttCredentials = { kind: 'token'; secret: string } | { kind: 'password'; password: string };

async function openOne(url: string, userId: string, credentials: MqttCredentials): Promise<Link> {
  const transport = createMqttTransport({
    url,
    userId,
    clientId: `${userId}:bench`,
    token:
      credentials.kind === 'token' ? createToken(userId, credentials.secret, 3600) : credentials.password,
    sessionExpirySeconds: 0,
    reconnectPolicy: { nextRetryDelayMs: () => null },
  });
  let closing = false;
  const link: Link = {
    userId,
    send: (envelope) => transport.send(envelope),
    onEnvelope: () => {},
    close() {
      closing = true;
      transport.close();
    },
  };
  transport.incoming$.subscribe((frame) => link.onEnvelope(JSON.parse(frame) as Received));
  transport.errors$.subscribe((error) => {
    linkProblems.errorFrames += 1;
    linkProblems.lastError = error.message;
  });
  const status = await firstValueFrom(
    transport.status$.pipe(
      filter((s) => s === 'open' || s === 'closed'),
      timeout(30_000),
    ),
  );
  if (status !== 'open') throw new Error(`${userId}: the MQTT transport closed before opening`);
  transport.status$.subscribe((s) => {
    if (s !== 'open' && !closing) linkProblems.unexpectedCloses += 1;
  });
  return link;
}

export async function openMqttLinks(options: {
  url: string;
  userIds: string[];
  credentials: MqttCredentials;
  concurrency: number;
}): Promise<Link[]> {
  const links: Link[] = new Array(options.userIds.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < options.userIds.length) {
      const index = next++;
      links[index] = await openOne(options.url, options.userIds[index] ?? '', options.credentials);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.userIds.length) }, worker));
  } catch (error) {
    for (const link of links) link?.close();
    throw error;
  }
  return links;
}
