// Load-client connections over WebSocket, speaking each server's own protocol: Handset's token in the
// upgrade and welcome (a hello when the server does not take it there), PeerJS's query-string id and OPEN,
// or the bare relay's id. Envelopes are the same bytes for all three.
import { createToken } from '@handset/adapter-ws/server';
import type { Envelope } from '@handset/core';
import WebSocket from 'ws';
import { PEERJS_KEY } from '../servers/peerjs-server.js';
import { type Link, linkProblems, type Received } from './link.js';

export type WsKind = 'handset' | 'peerjs' | 'bare';

interface Wire {
  address(url: string, userId: string): string;
  /** Subprotocols offered in the upgrade, if the protocol logs in there. */
  protocols(userId: string): string[] | undefined;
  /** First frame after the socket opens, if the protocol needs one (given the subprotocol selected). */
  hello(userId: string, selected: string): string | null;
  isReady(frame: string): boolean;
  encode(envelope: Envelope): string;
  /** The envelope inside a frame, or null for the protocol's own frames. */
  envelopeOf(frame: string): Received | null;
}

const PEERJS_TYPES: Record<string, string> = { invite: 'OFFER', candidates: 'CANDIDATE' };
const ID_MARK = '@@bench-id@@';
/** The subprotocol Handset's server selects when it took the token in the upgrade. */
const UPGRADE_AUTH_PROTOCOL = 'handset.v1.auth';

/**
 * Encodes by template: the engines send the same envelope again and again with only `id` changing, so
 * each shape is stringified once and the id spliced in. This keeps the load client cheap (the server,
 * not the client, should be what is measured) and costs every system the same.
 */
function templated(encode: (envelope: Envelope) => string): (envelope: Envelope) => string {
  const templates = new Map<string, [string, string]>();
  return (envelope) => {
    const key = `${envelope.type}|${envelope.from}|${envelope.to}|${envelope.callId}`;
    let template = templates.get(key);
    if (!template) {
      const [head = '', tail = ''] = encode({ ...envelope, id: ID_MARK }).split(ID_MARK);
      template = [head, tail];
      templates.set(key, template);
    }
    return template[0] + envelope.id + template[1];
  };
}

const ID = /"id":"([^"]*)"/;
const TYPE = /"type":"([^"]*)"/;
const CALL_ID = /"callId":"([^"]*)"/;

/** The three fields the engines need, read without parsing the whole ~1 KB frame. */
function fieldsOf(text: string): Received | null {
  const id = ID.exec(text)?.[1];
  const type = TYPE.exec(text)?.[1];
  const callId = CALL_ID.exec(text)?.[1];
  return id !== undefined && type !== undefined && callId !== undefined ? { id, type, callId } : null;
}

function wireFor(kind: WsKind, secret: string): Wire {
  if (kind === 'handset') {
    return {
      address: (url) => url,
      // What @handset/adapter-ws's client offers (its README, "Logging in during the upgrade").
      protocols: (userId) => [
        'handset.v1',
        UPGRADE_AUTH_PROTOCOL,
        `handset.token.${createToken(userId, secret, 3600)}`,
      ],
      hello: (userId, selected) =>
        selected === UPGRADE_AUTH_PROTOCOL
          ? null
          : JSON.stringify({ kind: 'hello', token: createToken(userId, secret, 3600) }),
      isReady: (frame) => frame.includes('"kind":"welcome"'),
      encode: templated((envelope) => JSON.stringify(envelope)),
      envelopeOf(frame) {
        if (!frame.startsWith('{"kind"')) return fieldsOf(frame);
        const value = JSON.parse(frame) as { kind: string; code?: string; message?: string };
        if (value.kind === 'error') {
          linkProblems.errorFrames += 1;
          linkProblems.lastError = `${value.code}: ${value.message}`;
        }
        return null;
      },
    };
  }
  if (kind === 'peerjs') {
    return {
      address: (url, userId) =>
        `${url}peerjs?key=${PEERJS_KEY}&id=${encodeURIComponent(userId)}&token=${Math.random().toString(36).slice(2)}`,
      protocols: () => undefined,
      hello: () => null,
      isReady: (frame) => frame.includes('"type":"OPEN"'),
      encode: templated((envelope) =>
        JSON.stringify({
          type: PEERJS_TYPES[envelope.type] ?? 'ANSWER',
          dst: envelope.to,
          payload: envelope,
        }),
      ),
      envelopeOf(frame) {
        const payloadAt = frame.indexOf('"payload":{"v"');
        if (payloadAt >= 0) return fieldsOf(frame.slice(payloadAt));
        if (frame.includes('"type":"ERROR"')) {
          linkProblems.errorFrames += 1;
          linkProblems.lastError = frame.slice(0, 200);
        }
        return null;
      },
    };
  }
  return {
    address: (url, userId) => `${url}?id=${encodeURIComponent(userId)}`,
    protocols: () => undefined,
    hello: () => null,
    isReady: (frame) => frame.includes('"kind":"ready"'),
    encode: templated((envelope) => JSON.stringify(envelope)),
    envelopeOf: (frame) => (frame.startsWith('{"kind"') ? null : fieldsOf(frame)),
  };
}

const OPEN_TIMEOUT_MS = 30_000;

function openOne(wire: Wire, url: string, userId: string): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wire.address(url, userId), wire.protocols(userId), {
      perMessageDeflate: false,
    });
    let ready = false;
    let closing = false;
    const link: Link = {
      userId,
      send(envelope) {
        if (socket.readyState === WebSocket.OPEN) socket.send(wire.encode(envelope));
      },
      onEnvelope: () => {},
      close() {
        closing = true;
        socket.terminate();
      },
    };
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`${userId}: not ready after ${OPEN_TIMEOUT_MS} ms`));
    }, OPEN_TIMEOUT_MS);
    socket.on('open', () => {
      const hello = wire.hello(userId, socket.protocol);
      if (hello) socket.send(hello);
    });
    socket.on('message', (data) => {
      const frame = data.toString();
      if (!ready) {
        if (wire.isReady(frame)) {
          ready = true;
          clearTimeout(timer);
          resolve(link);
        }
        return;
      }
      const envelope = wire.envelopeOf(frame);
      if (envelope) link.onEnvelope(envelope);
    });
    socket.on('error', (error) => {
      linkProblems.lastError = error.message;
      if (!ready) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      if (ready && !closing) linkProblems.unexpectedCloses += 1;
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`${userId}: closed before ready`));
      }
    });
  });
}

/**
 * Opens one authenticated connection per user, at most `concurrency` handshakes at a time; user `i`
 * goes to `urls[i % urls.length]`. Resolves when every connection is ready.
 */
export async function openWsLinks(options: {
  kind: WsKind;
  urls: string[];
  userIds: string[];
  secret: string;
  concurrency: number;
}): Promise<Link[]> {
  const wire = wireFor(options.kind, options.secret);
  const links: Link[] = new Array(options.userIds.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < options.userIds.length) {
      const index = next++;
      const url = options.urls[index % options.urls.length] ?? '';
      links[index] = await openOne(wire, url, options.userIds[index] ?? '');
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
