// The hostile side of the hostile-load measurement: held connections (each an account of the attacker,
// from its own loopback source address) sending the mix at a fixed total rate, one-shot connections whose
// first frame is garbage, and silent TCP sockets. Whatever the server closes is counted, then reopened
// after a short pause, as a determined attacker would; every loop stops at the flood's time limit.
import { connect, type Socket } from 'node:net';
import { createToken } from '@handset/adapter-ws/server';
import WebSocket from 'ws';
import { PEERJS_KEY } from '../servers/peerjs-server.js';
import { framesFor, type HostileKind, mixSequence } from './hostile-frames.js';
import type { WsKind } from './ws-links.js';

export interface FloodOptions {
  kind: WsKind;
  url: string;
  secret: string;
  ratePerSecond: number;
  heldConnections: number;
  silentSockets: number;
  /** Hostile traffic comes from these 127.x addresses, so per-address limits fall on the attacker. */
  sourceAddresses: string[];
  victims: { userId: string; callId: string }[];
  /** Hard stop for every loop of the flood, whatever the measurement asks. */
  timeLimitMs: number;
}

export interface FloodReport {
  elapsedMs: number;
  askedPerSecond: number;
  /** Frames written to a socket, per second of flood. */
  sentPerSecond: number;
  sentByKind: Partial<Record<HostileKind, number>>;
  /**
   * Frames due but not sent: `closed` no held connection was open (or too many one-shots in flight),
   * `backedUp` the open ones had 4 MB unsent, `late` the attacker's own event loop fell behind.
   */
  notSent: { closed: number; backedUp: number; late: number };
  bytesSent: number;
  /** How the server ended held and one-shot connections (WebSocket close code, or `http-<status>` / error). */
  closes: Record<string, number>;
  /** Error frames the server answered with, by code (Handset's `error` frame, PeerJS's `ERROR`). */
  errorFrames: Record<string, number>;
  heldOpenAtEnd: number;
  /** Silent sockets: connected, refused at connect, closed by the server after connecting, open at the end. */
  silent: { opened: number; refused: number; closedByServer: number; openAtEnd: number };
  /** Share of the flood's wall time this process spent on CPU: near 1, the attacker was the limit. */
  loadBusy: number;
}

const RECONNECT_DELAY_MS = 100;
const SILENT_REOPEN_DELAY_MS = 1_000;
const ONE_SHOT_LIFETIME_MS = 2_000;
const MAX_ONE_SHOTS_IN_FLIGHT = 64;
/** A held socket with more than this waiting is backed up: the attacker cannot push faster than TCP. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const TICK_MS = 10;
/** The pacer catches up at most this much after a late tick; beyond that the attacker was too slow. */
const MAX_CATCH_UP_MS = 100;
const ZERO_MASK = (mask: Uint8Array) => mask.fill(0);
const ERROR_CODE = /"code":"([^"]*)"/;

/** The first bytes of a received frame, as text: enough to tell a refusal from a relayed envelope. */
function headOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).subarray(0, 120).toString();
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).subarray(0, 120).toString();
}

function count(table: Record<string, number>, key: string, by = 1): void {
  table[key] = (table[key] ?? 0) + by;
}

function addressOf(options: FloodOptions, userId: string): string {
  if (options.kind === 'handset') return options.url;
  if (options.kind === 'peerjs') {
    return `${options.url}peerjs?key=${PEERJS_KEY}&id=${encodeURIComponent(userId)}&token=t${userId}`;
  }
  return `${options.url}?id=${encodeURIComponent(userId)}`;
}

function isReady(kind: WsKind, frame: string): boolean {
  if (kind === 'handset') return frame.includes('"kind":"welcome"');
  if (kind === 'peerjs') return frame.includes('"type":"OPEN"');
  return frame.includes('"kind":"ready"');
}

/** `Unexpected server response: 429` → `http-429`; other errors by their code. */
function refusalOf(error: Error): string {
  const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
  if (status) return `http-${status}`;
  // Our own deadline (a one-shot's 2 s, the handshake's 5 s) ended it before the server accepted it.
  if (/closed before the connection was established|Opening handshake has timed out/.test(error.message)) {
    return 'not-accepted-in-time';
  }
  return (error as { code?: string }).code ?? 'error';
}

export class Flood {
  private readonly report: FloodReport;
  private readonly held: ({ socket: WebSocket; ready: boolean; frames: Map<HostileKind, Buffer> } | null)[];
  private readonly silent = new Set<Socket>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly sequence = mixSequence();
  private oneShots = 0;
  private oneShotCounter = 0;
  private running = true;
  private startedAt = 0;
  private due = 0;
  private position = 0;
  private nextHeld = 0;
  private cpuStart = process.cpuUsage();
  private pacer: ReturnType<typeof setInterval> | null = null;
  private readonly stopAt: number;

  constructor(private readonly options: FloodOptions) {
    this.held = new Array(options.heldConnections).fill(null);
    this.stopAt = Date.now() + options.timeLimitMs;
    this.report = {
      elapsedMs: 0,
      askedPerSecond: options.ratePerSecond,
      sentPerSecond: 0,
      sentByKind: {},
      notSent: { closed: 0, backedUp: 0, late: 0 },
      bytesSent: 0,
      closes: {},
      errorFrames: {},
      heldOpenAtEnd: 0,
      silent: { opened: 0, refused: 0, closedByServer: 0, openAtEnd: 0 },
      loadBusy: 0,
    };
  }

  /** Opens the held connections and silent sockets (waiting up to 5 s for them), then starts sending. */
  async start(): Promise<{ heldReady: number; silentOpen: number }> {
    const opening = this.held.map((_, slot) => this.openHeld(slot));
    for (let index = 0; index < this.options.silentSockets; index += 1) this.openSilent(index);
    await Promise.race([Promise.all(opening), new Promise((resolve) => this.later(resolve, 5_000))]);
    this.startedAt = performance.now();
    this.cpuStart = process.cpuUsage();
    this.pacer = setInterval(() => this.tick(), TICK_MS);
    this.later(() => this.halt(), Math.max(0, this.stopAt - Date.now()));
    return { heldReady: this.held.filter((slot) => slot?.ready).length, silentOpen: this.silent.size };
  }

  stop(): FloodReport {
    const elapsedMs = this.startedAt > 0 ? performance.now() - this.startedAt : 0;
    const cpu = process.cpuUsage(this.cpuStart);
    this.report.heldOpenAtEnd = this.held.filter((slot) => slot?.ready).length;
    this.report.silent.openAtEnd = this.silent.size;
    this.halt();
    const sent = Object.values(this.report.sentByKind).reduce((sum, value) => sum + (value ?? 0), 0);
    this.report.elapsedMs = elapsedMs;
    this.report.sentPerSecond = elapsedMs > 0 ? (sent / elapsedMs) * 1000 : 0;
    this.report.loadBusy = elapsedMs > 0 ? (cpu.user + cpu.system) / 1000 / elapsedMs : 0;
    return this.report;
  }

  /** Stops every loop and closes every socket this flood opened. */
  private halt(): void {
    this.running = false;
    if (this.pacer) clearInterval(this.pacer);
    this.pacer = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const slot of this.held) slot?.socket.terminate();
    this.held.fill(null);
    for (const socket of this.silent) socket.destroy();
    this.silent.clear();
  }

  private later(action: (value?: unknown) => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  private tick(): void {
    if (!this.running) return;
    const elapsedMs = performance.now() - this.startedAt;
    const target = Math.floor((this.options.ratePerSecond * elapsedMs) / 1000);
    const floor = Math.floor((this.options.ratePerSecond * (elapsedMs - MAX_CATCH_UP_MS)) / 1000);
    if (this.due < floor) {
      this.report.notSent.late += floor - this.due;
      this.due = floor;
    }
    while (this.due < target) {
      this.due += 1;
      const kind = this.sequence[this.position % this.sequence.length] as HostileKind;
      this.position += 1;
      const outcome = kind === 'pre-auth-garbage' ? this.sendOneShot() : this.sendHeld(kind);
      if (outcome === 'sent') count(this.report.sentByKind as Record<string, number>, kind);
      else this.report.notSent[outcome] += 1;
    }
  }

  private sendHeld(kind: HostileKind): 'sent' | 'closed' | 'backedUp' {
    let backedUp = false;
    for (let tries = 0; tries < this.held.length; tries += 1) {
      const slot = this.held[this.nextHeld % this.held.length];
      this.nextHeld += 1;
      if (!slot?.ready) continue;
      if (slot.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        backedUp = true;
        continue;
      }
      const frame = slot.frames.get(kind) as Buffer;
      slot.socket.send(frame, { binary: false });
      this.report.bytesSent += frame.length;
      return 'sent';
    }
    return backedUp ? 'backedUp' : 'closed';
  }

  private source(index: number): string {
    const { sourceAddresses } = this.options;
    return sourceAddresses[index % sourceAddresses.length] ?? '127.0.0.1';
  }

  private hostileId(slot: number): string {
    return `mallory${slot}`;
  }

  private openHeld(slot: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    const { kind, secret, victims, heldConnections } = this.options;
    const self = this.hostileId(slot);
    const accomplice = this.hostileId(slot % 2 === 0 ? Math.min(slot + 1, heldConnections - 1) : slot - 1);
    const socket = new WebSocket(addressOf(this.options, self), {
      perMessageDeflate: false,
      localAddress: this.source(slot),
      generateMask: ZERO_MASK,
      handshakeTimeout: 5_000,
    });
    const entry = {
      socket,
      ready: false,
      frames: framesFor(kind, {
        self,
        accomplice,
        victim: victims[slot % Math.max(1, victims.length)] ?? null,
      }),
    };
    this.held[slot] = entry;
    let refusal = '';
    return new Promise((resolve) => {
      socket.on('open', () => {
        if (kind === 'handset')
          socket.send(JSON.stringify({ kind: 'hello', token: createToken(self, secret, 3600) }));
      });
      socket.on('message', (data) => {
        const head = headOf(data);
        if (!entry.ready) {
          if (isReady(kind, head)) {
            entry.ready = true;
            resolve();
          }
        }
        if (head.startsWith('{"kind":"error"'))
          count(this.report.errorFrames, ERROR_CODE.exec(head)?.[1] ?? '?');
        else if (kind === 'peerjs' && head.includes('"type":"ERROR"'))
          count(this.report.errorFrames, 'ERROR');
      });
      socket.on('error', (error) => {
        refusal = refusalOf(error);
      });
      socket.on('close', (code) => {
        resolve();
        if (!this.running || this.held[slot] !== entry) return;
        count(this.report.closes, entry.ready ? String(code) : `before-ready:${refusal || code}`);
        this.held[slot] = null;
        this.later(() => void this.openHeld(slot), RECONNECT_DELAY_MS);
      });
    });
  }

  /** A new connection whose first frame is garbage; it lives until the server closes it, or 2 s. */
  private sendOneShot(): 'sent' | 'closed' {
    if (this.oneShots >= MAX_ONE_SHOTS_IN_FLIGHT) return 'closed';
    this.oneShots += 1;
    this.oneShotCounter += 1;
    const id = `oneshot${this.oneShotCounter}`;
    const socket = new WebSocket(addressOf(this.options, id), {
      perMessageDeflate: false,
      localAddress: this.source(this.oneShotCounter),
      generateMask: ZERO_MASK,
      handshakeTimeout: 5_000,
    });
    const garbage = framesFor(this.options.kind, { self: id, accomplice: id, victim: null }).get(
      'pre-auth-garbage',
    ) as Buffer;
    let refusal = '';
    let opened = false;
    const lifetime = setTimeout(() => socket.terminate(), ONE_SHOT_LIFETIME_MS);
    socket.on('open', () => {
      opened = true;
      socket.send(garbage, { binary: false });
      this.report.bytesSent += garbage.length;
    });
    socket.on('message', (data) => {
      const head = headOf(data);
      if (head.startsWith('{"kind":"error"'))
        count(this.report.errorFrames, ERROR_CODE.exec(head)?.[1] ?? '?');
    });
    socket.on('error', (error) => {
      refusal = refusalOf(error);
    });
    socket.on('close', (code) => {
      clearTimeout(lifetime);
      this.oneShots -= 1;
      if (this.running) count(this.report.closes, `one-shot:${opened ? code : refusal || code}`);
    });
    return 'sent';
  }

  private openSilent(index: number): void {
    if (!this.running) return;
    const { port } = new URL(this.options.url);
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: this.source(index) });
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      this.report.silent.opened += 1;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!this.silent.delete(socket) || !this.running) return;
      if (connected) this.report.silent.closedByServer += 1;
      else this.report.silent.refused += 1;
      this.later(() => this.openSilent(index), SILENT_REOPEN_DELAY_MS);
    });
    this.silent.add(socket);
  }
}
