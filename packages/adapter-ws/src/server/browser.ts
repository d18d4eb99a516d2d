// What bundlers get for `@handset/adapter-ws/server` in a browser build: a clear error, not a crash
// deep inside node:http. The client transport is `@handset/adapter-ws`.
import { SignalingError } from '../signaling-error.js';

const message =
  '@handset/adapter-ws/server runs in Node only (it uses node:http, node:crypto and ws). ' +
  'In the browser, import createWsTransport from @handset/adapter-ws.';

export function startSignalServer(): never {
  throw SignalingError.of('server-not-in-browser', message);
}

export function createToken(): never {
  throw SignalingError.of('server-not-in-browser', message);
}

export function verifyToken(): never {
  throw SignalingError.of('server-not-in-browser', message);
}
