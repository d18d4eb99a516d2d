// Calls forced through a real coturn: the signaling server hands each user fresh TURN credentials in its
// welcome (and again before they expire); werift phones use them with no app code and relay-only policy.
import { createPhone, type IceServerConfig, type Phone, type PhoneEvent } from '@handset/core';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  hasTurnServer,
  startTurnServer,
  type TurnServer,
  waitForRemoteMedia,
} from '@handset/test-support';
import { turnCredentials } from '@handset/token';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createToken, type SignalServerOptions } from '../src/server/index.js';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { SECRET, startTestServer } from './support/harness.js';
import { CALL_MS, connectCall, reach } from './support/werift-phones.js';

let turn: TurnServer;
beforeAll(async () => {
  // The project's test command installs coturn (scripts/ensure-tools.sh): its absence is a failure.
  expect(await hasTurnServer()).toBe(true);
  turn = await startTurnServer();
});
afterAll(async () => {
  await turn?.stop();
});

const factory = createWeriftPeerConnectionFactory();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await factory.closeAll();
});

async function server(options: SignalServerOptions = {}) {
  const s = await startTestServer({ turn: { urls: [turn.url], secret: turn.secret }, ...options });
  cleanups.push(() => s.close({ drainMs: 100 }));
  return s;
}

/**
 * ws's client, handing over one message per event-loop turn as a browser does (one task per message):
 * frames the server writes together (Bob's answer and, right after, his hang-up) are then not handled in
 * one synchronous run, which no browser does either.
 */
class BrowserPacedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string[]) {
    super(url, protocols, { allowSynchronousEvents: false });
  }
}

function relayPhone(
  url: string,
  userId: string,
  extra: { iceServers?: IceServerConfig[] } = {},
): { phone: Phone; transport: WsTransport } {
  const transport = createWsTransport({
    url,
    token: () => createToken(userId, SECRET, 600),
    WebSocket: BrowserPacedWebSocket,
  });
  const phone = createPhone({
    userId,
    transport,
    peerConnectionFactory: factory,
    getUserMedia: createWeriftGetUserMedia(),
    iceTransportPolicy: 'relay',
    ...extra,
  });
  cleanups.push(() => {
    phone.dispose();
    transport.close();
  });
  return { phone, transport };
}

/** Candidate types (`host`, `srflx`, `relay`) in the lines of an SDP. */
function candidateTypes(sdp: string | undefined): string[] {
  return [...(sdp ?? '').matchAll(/^a=candidate:.* typ (\w+)/gm)].map((m) => m[1] ?? '');
}

describe('calls through coturn', () => {
  it('two werift phones with relay only connect with the server-issued credentials, relay candidates only', async () => {
    const s = await server();
    const alice = relayPhone(s.url, 'alice');
    const bob = relayPhone(s.url, 'bob');
    const [servers] = await Promise.all([
      firstValueFrom(alice.transport.iceServers$),
      firstValueFrom(bob.transport.iceServers$),
    ]);
    expect(servers?.[0]?.urls).toEqual([turn.url]);
    const { calleeView } = await connectCall(alice.phone, bob.phone);
    await waitForRemoteMedia(calleeView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    // Each phone's connection got the relay and the policy from the phone, not from test code.
    const [aliceConnection, bobConnection] = factory.connections.slice(-2);
    for (const pc of [aliceConnection, bobConnection]) {
      const config = pc!.raw.config;
      expect(config.iceTransportPolicy).toBe('relay');
      expect(config.iceServers[0]?.username).toMatch(/^\d+:(alice|bob)$/);
      const local = candidateTypes(pc!.raw.localDescription?.sdp);
      const remote = candidateTypes(pc!.raw.remoteDescription?.sdp);
      // werift puts its gathered candidates in the description: all of them relayed.
      expect(local.length + remote.length).toBeGreaterThan(0);
      expect(new Set([...local, ...remote])).toEqual(new Set(['relay']));
    }
    // The pair in use is relay on both ends.
    const pair = aliceConnection!.raw.iceTransports[0]?.connection.nominated;
    expect(pair?.localCandidate.type).toBe('relay');
    expect(pair?.remoteCandidate.type).toBe('relay');
  });

  it('never puts the credential in a log, on the server or on the client', async () => {
    const clientLog: unknown[] = [];
    const s = await server();
    const transport = createWsTransport({
      url: s.url,
      token: () => createToken('carol', SECRET, 600),
      WebSocket,
      logger: (level, event, fields) => clientLog.push({ level, event, fields }),
    });
    cleanups.push(() => transport.close());
    const [servers] = await firstValueFrom(transport.iceServers$);
    expect(servers?.credential).toBeTruthy();
    const logged = JSON.stringify([s.logs, clientLog]);
    expect(logged).toContain('session-open');
    expect(logged).not.toContain(servers!.credential!);
    expect(logged).not.toContain(turn.secret);
  });

  it('sends a fresh set before the last expires, and a call under way takes it (setConfiguration)', async () => {
    const s = await server({ turn: { urls: [turn.url], secret: turn.secret, refreshEveryMs: 300 } });
    const alice = relayPhone(s.url, 'alice');
    const bob = relayPhone(s.url, 'bob');
    await connectCall(alice.phone, bob.phone);
    const pc = factory.connections.at(-2)!;
    const before = pc.raw.config.iceServers[0]?.credential;
    const issued = new Set<string>();
    const sets = alice.transport.iceServers$.subscribe((servers) => issued.add(servers[0]?.credential ?? ''));
    cleanups.push(() => sets.unsubscribe());
    // Credentials carry their expiry in whole seconds: a later second gives a different credential.
    await expect
      .poll(() => pc.raw.config.iceServers[0]?.credential, { timeout: 10_000, interval: 50 })
      .not.toBe(before);
    expect(issued).toContain(pc.raw.config.iceServers[0]?.credential);
    expect(pc.raw.config.iceTransportPolicy).toBe('relay');
  });
});

describe('refused TURN credentials', () => {
  /** Alice alone has bad credentials; Bob relays with the server's. */
  const relayCallEnds = async (aliceServers: IceServerConfig[]) => {
    const s = await server();
    const alice = relayPhone(s.url, 'alice', { iceServers: aliceServers });
    const bob = relayPhone(s.url, 'bob');
    const events: PhoneEvent[] = [];
    alice.phone.events$.subscribe((event) => events.push(event));
    const started = Date.now();
    const incoming = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob', { audio: true, video: false });
    await incoming;
    const bobEnded = reach(bob.phone, 'ended');
    bob.phone.answerCall();
    const ended = await reach(alice.phone, 'ended');
    return { ended, events, ms: Date.now() - started, bobEnded: await bobEnded };
  };

  const expectRefused = ({ ended, events, ms, bobEnded }: Awaited<ReturnType<typeof relayCallEnds>>) => {
    expect(ended.endReason).toMatchObject({ code: 'connection-failed', by: 'local' });
    // Alice's hang-up tells Bob why.
    expect(bobEnded.endReason).toMatchObject({ code: 'connection-failed' });
    const warning = events.find((e) => e.type === 'call-warning');
    expect(warning).toMatchObject({ type: 'call-warning', error: { code: 'turn-refused' } });
    // The warning comes before the end, and the end well before the 30 s connect timeout. werift itself
    // holds setLocalDescription() ~13 s retrying a refused allocation before the invite can even go out
    // (a browser reports the 401 at once); the phone ends the call as soon as the answer is in.
    expect(events.indexOf(warning!)).toBeLessThan(events.findIndex((e) => e.type === 'call-ended'));
    expect(ms).toBeLessThan(25_000);
  };

  it('a wrong secret ends the call quickly, connection-failed, after a turn-refused warning', async () => {
    const wrong = turnCredentials({
      secret: 'not-the-secret',
      userId: 'alice',
      ttlSeconds: 600,
      urls: [turn.url],
    });
    expectRefused(await relayCallEnds(wrong));
  });

  it('expired credentials end the call quickly the same way', async () => {
    const expired = turnCredentials({
      secret: turn.secret,
      userId: 'alice',
      ttlSeconds: 600,
      urls: [turn.url],
      now: Date.now() - 3_600_000,
    });
    expectRefused(await relayCallEnds(expired));
  });
});
