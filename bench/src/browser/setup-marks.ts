// The same per-step marks for every system of the call setup row (Handset, PeerJS, the raw pairs): taken at
// the page's edges (getUserMedia, RTCPeerConnection, WebSocket), so no system is timed by its own code.

/** A step of call setup, on one side; the first time it happens, in ms from the call's start. */
export type SetupMarks = Record<string, number>;

type Side = 'caller' | 'callee';

let started = 0;
let marks: SetupMarks = {};
let connectionsMade = 0;
let mediaOpened = 0;
// Which side a signaling socket belongs to is known once it sends or receives an offer or an answer; what
// it carried before that is kept by socket and named then.
const socketSides = new WeakMap<WebSocket, Side>();
const unnamed = new Map<WebSocket, { step: string; at: number }[]>();

function at(): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function mark(side: Side, step: string, when = at()): void {
  const key = `${side} ${step}`;
  if (!(key in marks)) marks[key] = when;
}

/** Starts a call's marks; returns the call's clock start (`performance.now()`). */
export function beginMarks(): number {
  setupWindowBegins();
  started = performance.now();
  marks = {};
  connectionsMade = 0;
  mediaOpened = 0;
  unnamed.clear();
  return started;
}

/** The marks of the call begun last (taken once its first frames are decoded: steps that end after ICE connects count too). */
export function takeMarks(): SetupMarks {
  return { ...marks };
}

/** Marks on the page's peer connections: the first one made in a call is the caller's, the second the callee's. */
export function markPeerConnection(pc: RTCPeerConnection): Side {
  const side: Side = connectionsMade++ === 0 ? 'caller' : 'callee';
  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate?.candidate) mark(side, 'first local candidate');
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'checking') mark(side, 'ICE checking');
    if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')
      mark(side, 'ICE connected');
  });
  return side;
}

export function markStep(side: Side, step: string): void {
  mark(side, step);
}

/** getUserMedia, marked when it resolves: the first call's in a call is the caller's. */
export function installMediaMarks(): void {
  const devices = navigator.mediaDevices;
  const open = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints) => {
    const side: Side = mediaOpened++ === 0 ? 'caller' : 'callee';
    return open(constraints).then((stream) => {
      mark(side, 'getUserMedia done');
      return stream;
    });
  };
}

/** The offer, the answer and the first candidate of each system's wire format, by a look at the text. */
function signalOf(data: unknown): 'offer' | 'answer' | 'candidate' | null {
  if (typeof data !== 'string') return null;
  if (/"type":"(invite|OFFER)"|"kind":"offer"/.test(data)) return 'offer';
  if (/"type":"(answer|ANSWER)"|"kind":"answer"/.test(data)) return 'answer';
  if (/"type":"(candidates|CANDIDATE)"|"kind":"candidate"/.test(data)) return 'candidate';
  return null;
}

function nameSocket(socket: WebSocket, side: Side): void {
  if (socketSides.has(socket)) return;
  socketSides.set(socket, side);
  for (const { step, at: when } of unnamed.get(socket) ?? []) mark(side, step, when);
  unnamed.delete(socket);
}

function markSocket(socket: WebSocket, signal: 'offer' | 'answer' | 'candidate', sent: boolean): void {
  const step = `${signal === 'candidate' ? 'first candidate' : signal} ${sent ? 'sent' : 'received'}`;
  if (signal === 'offer') nameSocket(socket, sent ? 'caller' : 'callee');
  if (signal === 'answer') nameSocket(socket, sent ? 'callee' : 'caller');
  const side = socketSides.get(socket);
  if (side) mark(side, step);
  else unnamed.set(socket, [...(unnamed.get(socket) ?? []), { step, at: at() }]);
}

/** Every WebSocket of the page: its offer, answer and first candidate, sent and received. */
export function installSocketMarks(): void {
  const NativeSocket = globalThis.WebSocket;
  const send = NativeSocket.prototype.send;
  NativeSocket.prototype.send = function (this: WebSocket, data) {
    const signal = signalOf(data);
    if (signal) markSocket(this, signal, true);
    return send.call(this, data);
  };
  class MarkedSocket extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the app's own listeners: the receipt is marked before any of its work.
      this.addEventListener('message', (event) => {
        const signal = signalOf(event.data);
        if (signal) markSocket(this, signal, false);
      });
    }
  }
  globalThis.WebSocket = MarkedSocket;
}

let profiled = false;

/** Profiled runs (`HANDSET_BENCH_PROFILE`): the call's window is marked in the CPU profile itself. */
export function profileSetupWindow(on: boolean): void {
  profiled = on;
}

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: a profile sample lands here and dates the edge.
  }
}

/** Just before the clock starts: 3 ms a sampled profile cannot miss, outside the timed window. */
export function setupWindowBegins(): void {
  if (profiled) spin(3);
}

/** Just after both sides connected, outside the timed window too. */
export function setupWindowEnds(): void {
  if (profiled) spin(3);
}
