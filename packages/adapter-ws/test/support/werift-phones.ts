// Real phones (werift WebRTC in Node) on the WebSocket transport, for tests that make calls through a
// running server; `closeAll()` in afterEach disposes the phones, closes transports and peer connections.
import { type CallState, type CallView, createPhone, type Phone } from '@handset/core';
import { createWeriftGetUserMedia, createWeriftPeerConnectionFactory } from '@handset/test-support';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { WebSocket } from 'ws';
import { createToken } from '../../src/server/index.js';
import { createWsTransport, type WsTransport } from '../../src/ws-transport.js';
import { SECRET, waitFor } from './harness.js';

/** Generous on a loaded 2-core machine: a wait, never a speed requirement. */
export const CALL_MS = 20_000;

export interface PhoneOnServer {
  phone: Phone;
  transport: WsTransport;
}

export interface WeriftPhones {
  /** A phone for `userId` with its own transport and token; `deviceId` tells devices of one user apart. */
  on(url: string, userId: string, options?: { deviceId?: string }): PhoneOnServer;
  closeAll(): Promise<void>;
}

export function createWeriftPhones(): WeriftPhones {
  const factory = createWeriftPeerConnectionFactory();
  let made: PhoneOnServer[] = [];
  return {
    on(url, userId, options = {}) {
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
        ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
      });
      made.push({ phone, transport });
      return { phone, transport };
    },
    async closeAll() {
      for (const { phone, transport } of made.reverse()) {
        phone.dispose();
        transport.close();
      }
      made = [];
      await factory.closeAll();
    },
  };
}

export function reach(phone: Phone, state: CallState): Promise<CallView> {
  return firstValueFrom(
    phone.call$.pipe(
      filter((c) => c.state === state),
      timeout(CALL_MS),
    ),
  );
}

export function allOpen(...phones: PhoneOnServer[]): Promise<unknown> {
  return Promise.all(phones.map(({ transport }) => waitFor(transport.status$, (s) => s === 'open')));
}

/** Caller dials, callee answers once it rings; resolves with both views once both are connected. */
export async function connectCall(caller: Phone, callee: Phone) {
  const incoming = reach(callee, 'incoming');
  caller.makeCall(callee.userId, { audio: true, video: false });
  await incoming;
  callee.answerCall();
  const [callerView, calleeView] = await Promise.all([
    reach(caller, 'connected'),
    reach(callee, 'connected'),
  ]);
  return { callerView, calleeView };
}
