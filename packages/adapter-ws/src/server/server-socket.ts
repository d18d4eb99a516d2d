// The server's side of a ws socket: which connection owns it, the three events it reports to that
// connection (shared handlers, no closures per socket), and the frame-size limit raised after login.
import { type RawData, WebSocket } from 'ws';

/** What a socket reports to: the connection that owns it. */
export interface SocketOwner {
  receive(data: RawData, isBinary: boolean): void;
  closed(code: number): void;
  logSocketError(error: Error): void;
}

/** ws's socket with the connection it belongs to (the server makes every socket one: ws's `WebSocket` option). */
export class ServerSocket extends WebSocket {
  owner: SocketOwner | null = null;
}

/** Hands the socket's events to `owner`. */
export function listenTo(socket: ServerSocket, owner: SocketOwner): void {
  socket.owner = owner;
  socket.on('message', onSocketMessage);
  socket.on('close', onSocketClose);
  // ws reports oversize frames (and closes with 1009 itself) and protocol errors here.
  socket.on('error', onSocketError);
}

// ws calls these with the socket as `this`; every socket given to `listenTo` is a ServerSocket.
function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as ServerSocket).owner?.receive(data, isBinary);
}

function onSocketClose(this: WebSocket, code: number): void {
  (this as ServerSocket).owner?.closed(code);
}

function onSocketError(this: WebSocket, error: Error): void {
  (this as ServerSocket).owner?.logSocketError(error);
}

/**
 * ws has one `maxPayload` per server, fixed when a socket is upgraded; the hello-sized limit is replaced per
 * connection on its receiver (a private field: if ws renames it, the 1009 tests after login fail).
 */
export function setFrameLimit(socket: WebSocket, maxBytes: number): void {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = maxBytes;
}

export function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.byteLength, 0);
  return data.byteLength;
}

/** A text frame's characters (no copy of a single Buffer before decoding). */
export function frameText(data: RawData): string {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return bytes.toString('utf8');
}
