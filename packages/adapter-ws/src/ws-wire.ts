// One connection attempt of the WebSocket transport, as core's link runs it: token, socket, hello, then
// the server's frames turned into the link's reports (accepted, alive, refused, lost).
import { type Envelope, type IceServerConfig, type TokenSource, TransportError } from '@handset/core';
import { type LinkConnection, resolveToken, type WireReport } from '@handset/core/link';
import { CLOSE_CODES } from './close-codes.js';
import {
  classifyServerFrame,
  encodeControlFrame,
  type ServerControlFrame,
  UPGRADE_AUTH_PROTOCOL,
  upgradeProtocols,
} from './control-frames.js';
import { isAuthErrorCode } from './signaling-error.js';
import { reasonOfCloseCode, reasonOfErrorCode, transportErrorOfFrame } from './wire-errors.js';

// Handler parameters compare bivariantly, so both the browser's WebSocket and ws's fit this shape.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The slice of the WebSocket API the transport uses (the browser's and the `ws` package's both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server selected (absent on a socket that does not say). */
  readonly protocol?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/**
 * Called with the subprotocols that carry the credentials (the server then welcomes at once); a
 * constructor that ignores them still works: the client then sends a `hello`.
 */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/** What outlives one connection: the server session to resume and what it has not confirmed. */
export interface WsSessionState {
  sessionId: string | null;
  /** Envelopes received in this session; the server resends what lies past it after a reconnect. */
  received: number;
  /** Written, but no pong has confirmed the server read them: resent after a reconnect. */
  unconfirmed: { envelope: Envelope; afterPing: number }[];
  pingSeq: number;
}

export interface WsWireHost {
  url: string;
  token: TokenSource;
  userId: string | undefined;
  Socket: WebSocketConstructor;
  /** A configuration error found up front: every attempt reports it (and the link closes). */
  problem: TransportError | null;
  session: WsSessionState;
  /** True once this link's current connection was welcomed. */
  isOpen(): boolean;
  setSocket(socket: WebSocketLike | null): void;
  /** An envelope frame for the app (untrusted text, decoded by the phone). */
  deliver(frame: string): void;
  /** ICE servers from the welcome or a refresh (TURN credentials: never logged). */
  iceServers(servers: IceServerConfig[]): void;
}

const OPEN = 1;

export function connectWs(host: WsWireHost, report: (event: WireReport) => void): LinkConnection {
  const { session } = host;
  let ws: WebSocketLike | null = null;
  let tornDown = false;
  /** Why the server is about to close this connection, from the frame that said so before the close. */
  let closing: TransportError | null = null;

  const lost = (error?: TransportError) =>
    report(error ? { type: 'wire.lost', error } : { type: 'wire.lost' });

  function onControl(frame: ServerControlFrame): void {
    switch (frame.kind) {
      case 'welcome': {
        if (host.userId !== undefined && frame.userId !== host.userId) {
          lost(
            TransportError.of(
              'token-wrong-user',
              `the token is for ${frame.userId.slice(0, 128)}, not for ${host.userId}`,
              { wireCode: 'welcome' },
            ),
          );
          return;
        }
        session.sessionId = frame.sessionId;
        if (!frame.resumed) session.received = 0;
        // Before `open`, so a call started in reaction to it already has them.
        if (frame.iceServers) host.iceServers(frame.iceServers);
        report({ type: 'wire.authenticated' });
        return;
      }
      case 'ice-servers':
        host.iceServers(frame.iceServers);
        return;
      case 'pong':
        session.unconfirmed = session.unconfirmed.filter((u) => u.afterPing >= frame.t);
        return;
      case 'error': {
        if (isAuthErrorCode(frame.code)) {
          // While open this is the token expiring: the 4003 close that follows reconnects with a fresh one.
          if (!host.isOpen()) lost(transportErrorOfFrame(frame.code, frame.message));
          return;
        }
        const reason = reasonOfErrorCode(frame.code);
        if (reason === 'message-refused')
          report({ type: 'wire.error', error: transportErrorOfFrame(frame.code, frame.message) });
        else closing = transportErrorOfFrame(frame.code, frame.message);
        return;
      }
      case 'shutdown':
        closing = TransportError.of('server-shutdown', frame.message, { wireCode: 'shutdown' });
        return;
    }
  }

  function onFrame(text: string): void {
    report({ type: 'wire.activity' });
    const classified = classifyServerFrame(text);
    if (classified.type === 'envelope') {
      // Nothing counts before the welcome: the session (and what it resends) starts there.
      if (!host.isOpen()) return;
      session.received += 1;
      host.deliver(text);
      return;
    }
    if (classified.type === 'control') onControl(classified.frame);
  }

  function onClose(code: number, reason: string): void {
    if (code === CLOSE_CODES.tokenExpired) {
      report({ type: 'wire.reauthenticate' });
      return;
    }
    if (code === CLOSE_CODES.authRefused) {
      lost(
        TransportError.of('token-refused', 'the server refused the token', {
          wireCode: isAuthErrorCode(reason) ? reason : code,
        }),
      );
      return;
    }
    const byCode = reasonOfCloseCode(code);
    lost(
      closing ??
        (byCode
          ? TransportError.of(byCode, `closed by the server (${code})`, { wireCode: code })
          : undefined),
    );
  }

  async function start(): Promise<void> {
    if (host.problem) {
      lost(host.problem);
      return;
    }
    const token = await resolveToken(host.token);
    if (tornDown) return;
    if (!token.ok) {
      lost(token.error);
      return;
    }
    const { sessionId, received } = session;
    const hello = sessionId ? { token: token.token, sessionId, received } : { token: token.token };
    let socket: WebSocketLike;
    try {
      const protocols = upgradeProtocols(hello);
      socket = protocols ? new host.Socket(host.url, protocols) : new host.Socket(host.url);
    } catch (cause) {
      lost(TransportError.of('connect-failed', 'could not create a WebSocket', { cause }));
      return;
    }
    ws = socket;
    host.setSocket(socket);
    socket.onopen = () => {
      report({ type: 'wire.connected' });
      // The server took the credentials in the upgrade: its welcome (or refusal) is already on its way.
      if (socket.protocol === UPGRADE_AUTH_PROTOCOL) return;
      socket.send(encodeControlFrame({ kind: 'hello', ...hello }));
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') onFrame(event.data);
    };
    socket.onclose = (event) => onClose(event.code, event.reason);
    socket.onerror = () => {
      // A close event always follows; that is where the connection is handled.
    };
  }

  void start();

  return {
    ping() {
      if (!ws || ws.readyState !== OPEN) return;
      session.pingSeq += 1;
      ws.send(encodeControlFrame({ kind: 'ping', t: session.pingSeq, received: session.received }));
    },
    close() {
      tornDown = true;
      const socket = ws;
      ws = null;
      host.setSocket(null);
      if (!socket) return;
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Not null: closing a socket that is still connecting makes Node's `ws` emit an error, and an error
      // nobody listens to would take the process down.
      socket.onerror = () => {};
      try {
        // The link is done with this socket (silent, timed out, replaced, or the transport is closing).
        socket.close(CLOSE_CODES.normal, 'bye');
      } catch {
        // Already closing; it is not ours any more either way.
      }
    },
  };
}
