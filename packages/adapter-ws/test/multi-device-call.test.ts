// A callee logged in on two devices, with werift phones through the real server: both ring, the first
// to answer takes the call, the other stops ringing with answered-elsewhere.
import { waitForRemoteMedia } from '@handset/test-support';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { startTestServer } from './support/harness.js';
import { allOpen, CALL_MS, createWeriftPhones, reach } from './support/werift-phones.js';

let server: SignalServer;
const phones = createWeriftPhones();
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => phones.closeAll());
afterAll(() => server?.close({ drainMs: 100 }));

it('rings both devices; the one that answers is connected, the other ends answered-elsewhere', async () => {
  const alice = phones.on(server.url, 'alice');
  const bobPhone = phones.on(server.url, 'bob', { deviceId: 'bob-phone' });
  const bobLaptop = phones.on(server.url, 'bob', { deviceId: 'bob-laptop' });
  await allOpen(alice, bobPhone, bobLaptop);
  const laptopStates: string[] = [];
  bobLaptop.phone.events$.subscribe((e) => {
    if (e.type === 'state-changed') laptopStates.push(e.state);
  });
  const ringing = Promise.all([reach(bobPhone.phone, 'incoming'), reach(bobLaptop.phone, 'incoming')]);
  const callId = alice.phone.makeCall('bob', { audio: true, video: false });
  const [onPhone, onLaptop] = await ringing;
  expect([onPhone.callId, onLaptop.callId]).toEqual([callId, callId]);

  const laptopEnded = reach(bobLaptop.phone, 'ended');
  bobPhone.phone.answerCall();
  const [aliceView, phoneView] = await Promise.all([
    reach(alice.phone, 'connected'),
    reach(bobPhone.phone, 'connected'),
  ]);
  expect((await laptopEnded).endReason).toEqual({ code: 'answered-elsewhere', by: 'remote' });
  await waitForRemoteMedia(aliceView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
  await waitForRemoteMedia(phoneView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });

  const phoneEnded = reach(bobPhone.phone, 'ended');
  alice.phone.hangupCall();
  expect((await phoneEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  // The laptop only rang: it never answered nor connected.
  expect(laptopStates).not.toContain('answering');
  expect(laptopStates).not.toContain('connected');
  expect(laptopStates).toContain('ended');
}, 60_000);
