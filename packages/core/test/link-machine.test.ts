// The link statechart with a simulated clock and a scripted wire: every transition, one test each.
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createDefaultReconnectPolicy,
  DEFAULT_RETRY_DELAYS_MS,
  type ReconnectContext,
  TransportError,
  type TransportStatus,
} from '../src/index.js';
import { createLink, type Link, type LinkOptions, type WireReport } from '../src/link/index.js';
import { ManualClock } from './manual-clock.js';

interface FakeConnection {
  readonly report: (event: WireReport) => void;
  pings: number;
  closed: boolean;
}

function rig(options: Partial<LinkOptions> & { delays?: (ctx: ReconnectContext) => number | null } = {}) {
  const clock = new ManualClock();
  const connections: FakeConnection[] = [];
  const contexts: ReconnectContext[] = [];
  const statuses: TransportStatus[] = [];
  const errors: TransportError[] = [];
  const order: string[] = [];
  const link: Link = createLink({
    clock: clock.for('link'),
    now: () => clock.now,
    connectTimeoutMs: 1_000,
    reconnectPolicy: {
      nextRetryDelayMs(ctx) {
        contexts.push(ctx);
        return options.delays ? options.delays(ctx) : 100;
      },
    },
    wire: (report) => {
      const connection: FakeConnection = { report, pings: 0, closed: false };
      connections.push(connection);
      return {
        ping: () => {
          connection.pings += 1;
        },
        close: () => {
          connection.closed = true;
        },
      };
    },
    onOpen: () => order.push('onOpen'),
    onClosed: () => order.push('onClosed'),
    ...options,
  });
  link.status$.subscribe({
    next: (s) => {
      statuses.push(s);
      order.push(`status:${s}`);
    },
  });
  link.errors$.subscribe({
    next: (e) => {
      errors.push(e);
      order.push(`error:${e.reason}`);
    },
  });
  link.start();
  const last = () => connections.at(-1) as FakeConnection;
  const open = () => {
    last().report({ type: 'wire.connected' });
    last().report({ type: 'wire.authenticated' });
  };
  return { clock, link, connections, contexts, statuses, errors, order, last, open };
}

const refused = () => TransportError.of('token-refused', 'refused', { wireCode: 'token-expired' });

describe('the link statechart', () => {
  it('goes connecting → authenticating → open, flushing (onOpen) before it says open', () => {
    const r = rig();
    expect(r.connections).toHaveLength(1);
    r.last().report({ type: 'wire.connected' });
    expect(r.link.status).toBe('connecting');
    r.last().report({ type: 'wire.authenticated' });
    expect(r.statuses).toEqual(['connecting', 'open']);
    expect(r.order).toEqual(['status:connecting', 'onOpen', 'status:open']);
  });

  it('is open at once when the wire is accepted in one step', () => {
    const r = rig();
    r.last().report({ type: 'wire.authenticated' });
    expect(r.link.status).toBe('open');
  });

  it('reports connect-failed when an attempt ends before it was accepted, and retries by the policy', async () => {
    const r = rig();
    r.last().report({ type: 'wire.lost' });
    expect(r.errors.map((e) => [e.reason, e.permanent])).toEqual([['connect-failed', false]]);
    expect(r.last().closed).toBe(true);
    expect(r.link.status).toBe('connecting');
    expect(r.contexts).toEqual([{ attempt: 0, elapsedMs: 0 }]);
    await r.clock.advance(99);
    expect(r.connections).toHaveLength(1);
    await r.clock.advance(1);
    expect(r.connections).toHaveLength(2);
  });

  it("reports the wire's own reason for a failed attempt when it knows one", () => {
    const r = rig();
    r.last().report({ type: 'wire.lost', error: TransportError.of('refused-by-server', 'too many') });
    expect(r.errors.map((e) => e.reason)).toEqual(['refused-by-server']);
    expect(r.link.status).toBe('connecting');
  });

  it('gives up an attempt nobody answers within the connect timeout, while connecting', async () => {
    const r = rig();
    await r.clock.advance(999);
    expect(r.errors).toEqual([]);
    await r.clock.advance(1);
    expect(r.errors.map((e) => e.reason)).toEqual(['connect-failed']);
    expect(r.connections[0]?.closed).toBe(true);
  });

  it('gives the server a connect timeout of its own to accept the credentials once the socket is up', async () => {
    const r = rig();
    await r.clock.advance(900);
    r.last().report({ type: 'wire.connected' });
    await r.clock.advance(999);
    expect(r.errors).toEqual([]);
    await r.clock.advance(1);
    expect(r.errors.map((e) => e.reason)).toEqual(['connect-failed']);
    await r.clock.advance(100);
    expect(r.connections).toHaveLength(2);
  });

  it('closes at once on a permanent failure before open: the error first, then closed, no retry', async () => {
    const r = rig();
    r.last().report({ type: 'wire.connected' });
    r.last().report({ type: 'wire.lost', error: refused() });
    expect(r.order).toEqual(['status:connecting', 'error:token-refused', 'status:closed', 'onClosed']);
    expect(r.errors[0]?.code).toBe('unauthenticated');
    await r.clock.advance(60_000);
    expect(r.connections).toHaveLength(1);
    expect(r.contexts).toEqual([]);
  });

  it('after a drop of an open link, says reconnecting without an error and counts attempts from the drop', async () => {
    const r = rig();
    await r.clock.advance(500);
    r.last().report({ type: 'wire.lost' });
    await r.clock.advance(100);
    r.last().report({ type: 'wire.lost' });
    expect(r.contexts).toEqual([
      { attempt: 0, elapsedMs: 500 },
      { attempt: 1, elapsedMs: 600 },
    ]);
    await r.clock.advance(100);
    r.open();
    await r.clock.advance(5_000);
    r.last().report({ type: 'wire.lost' });
    expect(r.statuses).toEqual(['connecting', 'open', 'reconnecting']);
    expect(r.errors.map((e) => e.reason)).toEqual(['connect-failed', 'connect-failed']);
    expect(r.contexts.at(-1)).toEqual({ attempt: 0, elapsedMs: 0 });
  });

  it('reports the reason a temporary drop of an open link carries', () => {
    const r = rig();
    r.open();
    r.last().report({ type: 'wire.lost', error: TransportError.of('server-shutdown', 'restarting') });
    expect(r.errors.map((e) => e.reason)).toEqual(['server-shutdown']);
    expect(r.link.status).toBe('reconnecting');
  });

  it('closes on a permanent failure of an open link', () => {
    const r = rig();
    r.open();
    r.last().report({ type: 'wire.lost', error: refused() });
    expect(r.statuses).toEqual(['connecting', 'open', 'closed']);
  });

  it('pings at the heartbeat interval while open, and drops a link that falls silent', async () => {
    const r = rig({ heartbeat: { intervalMs: 100, timeoutMs: 350 } });
    r.open();
    await r.clock.advance(250);
    expect(r.connections[0]?.pings).toBe(2);
    r.last().report({ type: 'wire.activity' });
    await r.clock.advance(349);
    expect(r.link.status).toBe('open');
    await r.clock.advance(1);
    expect(r.link.status).toBe('reconnecting');
    expect(r.connections[0]?.closed).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('neither pings nor watches silence without a heartbeat (the wire keeps its own)', async () => {
    const r = rig();
    r.open();
    await r.clock.advance(600_000);
    expect(r.connections[0]?.pings).toBe(0);
    expect(r.link.status).toBe('open');
  });

  it('closes with reconnect-gave-up when the policy returns null', async () => {
    const r = rig({ delays: (ctx) => (ctx.attempt < 2 ? 10 : null) });
    for (let i = 0; i < 3; i += 1) {
      r.last().report({ type: 'wire.lost' });
      await r.clock.advance(10);
    }
    expect(r.connections).toHaveLength(3);
    expect(r.errors.map((e) => [e.reason, e.permanent])).toEqual([
      ['connect-failed', false],
      ['connect-failed', false],
      ['connect-failed', false],
      ['reconnect-gave-up', true],
    ]);
    expect(r.link.status).toBe('closed');
  });

  it('reconnects at once, with a new connection, when the server asks for fresh credentials', async () => {
    const r = rig();
    r.open();
    r.last().report({ type: 'wire.reauthenticate' });
    expect(r.connections).toHaveLength(2);
    expect(r.connections[0]?.closed).toBe(true);
    expect(r.contexts).toEqual([]);
    r.open();
    expect(r.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('reports a temporary failure outside the link and stays open; a permanent one closes', () => {
    const r = rig();
    r.open();
    r.link.report(TransportError.of('queue-overflow', 'dropped one'));
    expect(r.link.status).toBe('open');
    r.link.report(TransportError.of('invalid-configuration', 'bad'));
    expect(r.errors.map((e) => e.reason)).toEqual(['queue-overflow', 'invalid-configuration']);
    expect(r.link.status).toBe('closed');
  });

  it('closes on close(): tears the connection down, completes both observables, and stops its timers', async () => {
    const r = rig({ heartbeat: { intervalMs: 100, timeoutMs: 350 } });
    r.open();
    const statuses = firstValueFrom(r.link.status$.pipe(toArray()));
    const errors = firstValueFrom(r.link.errors$.pipe(toArray()));
    r.link.close();
    await statuses;
    expect(await errors).toEqual([]);
    expect(r.connections[0]?.closed).toBe(true);
    expect(r.order.at(-1)).toBe('onClosed');
    expect(r.clock.pending()).toEqual([]);
  });

  it('closes from backing off, with no retry left pending', async () => {
    const r = rig();
    r.last().report({ type: 'wire.lost' });
    r.link.close();
    expect(r.link.status).toBe('closed');
    expect(r.clock.pending()).toEqual([]);
    await r.clock.advance(1_000);
    expect(r.connections).toHaveLength(1);
  });

  it('closes at once when closed before it started, and a later start does nothing', () => {
    const link = createLink({ wire: () => ({ close: () => {} }) });
    const statuses: TransportStatus[] = [];
    link.status$.subscribe((s) => statuses.push(s));
    link.close();
    expect(link.status).toBe('closed');
    link.start();
    expect(statuses).toEqual(['connecting', 'closed']);
  });

  it('ignores what a torn-down connection still reports', async () => {
    const r = rig();
    const first = r.last();
    first.report({ type: 'wire.lost' });
    await r.clock.advance(100);
    first.report({ type: 'wire.authenticated' });
    expect(r.link.status).toBe('connecting');
  });
});

describe('the link log', () => {
  it('logs each status it reports and each error, permanent ones as errors', () => {
    const entries: unknown[] = [];
    const r = rig({ log: (level, event, fields) => entries.push([level, event, fields]) });
    r.last().report({ type: 'wire.lost' });
    r.link.report(refused());
    expect(entries).toEqual([
      ['warn', 'transport-error', expect.objectContaining({ reason: 'connect-failed' })],
      [
        'error',
        'transport-error',
        expect.objectContaining({ reason: 'token-refused', wireCode: 'token-expired' }),
      ],
      ['info', 'link-status', { status: 'closed' }],
    ]);
  });
});

describe('the default reconnect policy', () => {
  it('follows the table, with no jitter on the first two retries and up to 1 s after', () => {
    const policy = createDefaultReconnectPolicy({ random: () => 0.5 });
    const delays = [0, 1, 2, 3, 4, 5, 9].map((attempt) => policy.nextRetryDelayMs({ attempt, elapsedMs: 0 }));
    expect(DEFAULT_RETRY_DELAYS_MS).toEqual([0, 300, 1_200, 2_700, 4_800]);
    expect(delays).toEqual([0, 300, 1_700, 3_200, 5_300, 7_500, 7_500]);
  });

  it('never gives up by default, and gives up after giveUpAfterMs when asked', () => {
    expect(createDefaultReconnectPolicy().nextRetryDelayMs({ attempt: 1e6, elapsedMs: 1e12 })).not.toBeNull();
    const policy = createDefaultReconnectPolicy({ giveUpAfterMs: 60_000 });
    expect(policy.nextRetryDelayMs({ attempt: 3, elapsedMs: 59_999 })).not.toBeNull();
    expect(policy.nextRetryDelayMs({ attempt: 3, elapsedMs: 60_000 })).toBeNull();
  });
});
