// The WebSocket stream the transport hands mqtt.js in place of its own for ws:// and wss:// URLs: what
// mqtt.js writes in one task leaves as one binary message in that task, and each received packet reaches
// mqtt.js's parser as its own write. mqtt.js's browser stream corks every packet until a `setTimeout(0)`.
import mqtt, { type IClientOptions, type IStream, type MqttClient } from 'mqtt';
import { PacketBoundaries } from './packet-boundaries.js';

/** The part of a WebSocket (the browser's, or the `ws` package's) the MQTT transport uses. */
export interface MqttWebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node 20. */
export type MqttWebSocketConstructor = new (url: string, protocols: string[]) => MqttWebSocketLike;

/**
 * mqtt.js options that only its own WebSocket stream honours: set one, and the transport keeps that stream.
 * The TLS ones are among them: mqtt.js hands them to its Node WebSocket for wss://, a platform WebSocket
 * takes none, and a CA or certificate a user set must never be dropped silently.
 */
const MQTTJS_STREAM_OPTIONS = [
  'wsOptions',
  'createWebsocket',
  'transformWsUrl',
  'browserBufferSize',
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
] as const;
const OPEN = 1;
const encoder = new TextEncoder();

/** The minimal writable mqtt.js pipes a stream into (its parser's input). */
interface PacketSink {
  write(chunk: Uint8Array): unknown;
}

type Listener = (...args: unknown[]) => void;

/**
 * The Duplex surface mqtt.js's client uses (pipe, write, end, destroy, 'close', 'error', 'drain'), over one
 * WebSocket, with no Node stream underneath: nothing here waits for a `nextTick`.
 */
export class MqttWebSocketStream {
  private readonly listeners = new Map<string, Listener[]>();
  private readonly boundaries = new PacketBoundaries();
  /** Written and not yet sent: the parts of the packets written in the current task, or before open. */
  private pending: Uint8Array[] = [];
  private flushQueued = false;
  private sink: PacketSink | null = null;
  private closed = false;
  destroyed = false;

  constructor(private readonly socket: MqttWebSocketLike) {
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.flush();
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => this.destroy(new Error('WebSocket error'));
    socket.onclose = () => this.destroy();
  }

  pipe<T extends PacketSink>(sink: T): T {
    this.sink = sink;
    return sink;
  }

  /** Always true: a WebSocket buffers without limit, and signaling packets are few and small. */
  write(chunk: Uint8Array | string): boolean {
    if (this.destroyed) return true;
    this.pending.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    if (!this.flushQueued && this.socket.readyState === OPEN) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  end(done?: () => void): this {
    this.flush();
    this.destroy();
    if (done) this.once('close', done);
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.pending = [];
    this.socket.onopen = null;
    this.socket.onmessage = null;
    if (this.socket.readyState <= OPEN) this.socket.close(1000);
    // After the caller's turn, as a Node stream does: mqtt.js adds and removes 'close' listeners right after.
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this.emitClose();
    });
    return this;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.removeListener(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list)
      this.listeners.set(
        event,
        list.filter((l) => l !== listener),
      );
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  setMaxListeners(): this {
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  private emitClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  /** One message for everything written since the last flush (several packets when written together). */
  private flush(): void {
    this.flushQueued = false;
    if (this.destroyed || this.pending.length === 0 || this.socket.readyState !== OPEN) return;
    const parts = this.pending;
    this.pending = [];
    try {
      this.socket.send(parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts));
    } catch (cause) {
      this.destroy(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  private receive(data: unknown): void {
    if (this.destroyed || !this.sink) return;
    const bytes = bytesOf(data);
    if (!bytes) {
      this.destroy(new Error('WebSocket message is neither binary nor text'));
      return;
    }
    for (const piece of this.boundaries.split(bytes)) this.sink.write(piece);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return encoder.encode(data);
  return null;
}

/**
 * An mqtt.js client whose connections are `MqttWebSocketStream`s over `given` (default: the platform's
 * WebSocket, in browsers and Node 22+), or null where mqtt.js's own stream stays: a URL that is not
 * ws(s)://, no WebSocket constructor (Node 20 without the option), or options only mqtt.js's stream honours.
 */
export function clientOverWebSocket(
  url: string,
  options: IClientOptions,
  given?: MqttWebSocketConstructor,
): MqttClient | null {
  const Socket = given ?? (globalThis as { WebSocket?: MqttWebSocketConstructor }).WebSocket;
  if (!Socket || !/^wss?:\/\//i.test(url)) return null;
  // Read as a record: mqtt.js's types leave out some TLS options its WebSocket builder still passes on (pfx).
  const set = options as Readonly<Record<string, unknown>>;
  if (MQTTJS_STREAM_OPTIONS.some((key) => set[key] !== undefined)) return null;
  // The subprotocol mqtt.js's own stream offers for MQTT 3.1.1 and 5.
  const build = () => new MqttWebSocketStream(new Socket(url, ['mqtt'])) as unknown as IStream;
  const client = new mqtt.MqttClient(build, options);
  // As mqtt.connect does: an error with no listener (between two connection attempts) must not throw.
  client.on('error', () => {});
  return client;
}
