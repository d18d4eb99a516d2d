// Two real phones (werift WebRTC in Node) calling each other through the signaling server.
import { type CallState, createPhone, type Phone } from '@handset/core';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  waitForRemoteMedia,
} from '@handset/test-support';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createToken, type SignalServer } from '../src/server/index.js';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { SECRET, startTestServer, waitFor } from './support/harness.js';

const CALL_MS = 20_000;
const factory = createWeriftPeerConnectionFactory();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await factory.closeAll();
});

function phoneOn(url: string, userId: string): { phone: Phone; transport: WsTransport } {
  const transport = createWsTransport({
    url,
    token: () => createToken(userId, SECRET, 600),
    WebSocket,
    reconnectPolicy: { nextRetryDelayMs: () => 100 },
  });
  const phone = createPhone({
    userId,
    transport,
    peerConnectionFactory: factory,
    getUserMedia: createWeriftGetUserMedia(),
  });
  cleanups.push(() => {
    phone.dispose();
    transport.close();
  });
  return { phone, transport };
}

const reach = (phone: Phone, state: CallState) =>
  firstValueFrom(
    phone.call$.pipe(
      filter((c) => c.state === state),
      timeout(CALL_MS),
    ),
  );

async function connectCall(alice: Phone, bob: Phone) {
  const incoming = reach(bob, 'incoming');
  alice.makeCall(bob.userId, { audio: true, video: false });
  await incoming;
  bob.answerCall();
  const [aliceView, bobView] = await Promise.all([reach(alice, 'connected'), reach(bob, 'connected')]);
  return { aliceView, bobView };
}

async function server(port = 0): Promise<SignalServer> {
  const started = await startTestServer({ port });
  cleanups.push(() => started.close({ drainMs: 100 }));
  return started;
}

describe('two werift phones through the signaling server', () => {
  it('complete a call with media both ways, and hang-up reaches the other side', async () => {
    const s = await server();
    const alice = phoneOn(s.url, 'alice');
    const bob = phoneOn(s.url, 'bob');
    await Promise.all([
      waitFor(alice.transport.status$, (x) => x === 'open'),
      waitFor(bob.transport.status$, (x) => x === 'open'),
    ]);
    const { aliceView, bobView } = await connectCall(alice.phone, bob.phone);
    await waitForRemoteMedia(aliceView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    await waitForRemoteMedia(bobView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  });

  it('keep the call and its media through a server restart, and hang-up still arrives after it', async () => {
    const first = await startTestServer();
    cleanups.push(() => first.close({ drainMs: 100 }));
    const port = first.port;
    const alice = phoneOn(first.url, 'alice');
    const bob = phoneOn(first.url, 'bob');
    await Promise.all([
      waitFor(alice.transport.status$, (x) => x === 'open'),
      waitFor(bob.transport.status$, (x) => x === 'open'),
    ]);
    const { bobView } = await connectCall(alice.phone, bob.phone);
    const ended: string[] = [];
    bob.phone.events$.subscribe((e) => {
      if (e.type === 'call-ended') ended.push(e.reason.code);
    });
    await first.close({ drainMs: 200 });
    await waitFor(bob.transport.status$, (x) => x === 'reconnecting');
    await server(port);
    await Promise.all([
      waitFor(alice.transport.status$, (x) => x === 'open'),
      waitFor(bob.transport.status$, (x) => x === 'open'),
    ]);
    // Media kept flowing on the peer connection while signaling was away.
    await waitForRemoteMedia(bobView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    expect(ended).toEqual([]);
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  });
});
