// A relay-only peer connection whose TURN server refused it (wrong or expired credentials) gathers no
// candidate at all, and browsers and werift then sit in `checking` for ever (werift even retries a refused
// allocation for ~25 s before giving up). This port decorator reports ICE `failed` as soon as gathering
// ended empty, or gave nothing within a deadline, so the call ends `connection-failed`, not after 30 s.

import type { Clock, IceCandidateErrorEventPort, PeerConnectionConfig, PeerConnectionPort } from './ports.js';
import type { SessionDescription } from './protocol.js';

type AnyListener = (event: unknown) => void;

/** Why the relay gave nothing: the platform's last TURN error, if it reported one (browsers do). */
export type RelayRefusal = { errorCode?: number; errorText?: string; url?: string };

export interface RelayGuardOptions {
  /** A relay candidate normally comes within a second; none after this long counts as refused. */
  gatheringTimeoutMs: number;
  clock: Clock;
  /** Called once per gathering that gave nothing, before ICE is reported `failed`. */
  onRefused(refusal: RelayRefusal): void;
}

/** Wraps `pc` when `config.iceTransportPolicy` is `relay`; returns it unchanged otherwise. */
export function guardRelayOnly(
  pc: PeerConnectionPort,
  config: PeerConnectionConfig,
  options: RelayGuardOptions,
): PeerConnectionPort {
  if (config.iceTransportPolicy !== 'relay') return pc;
  return createGuard(pc, options);
}

const hasCandidateLine = (sdp: string | undefined) => /^a=candidate:/m.test(sdp ?? '');

/**
 * A Proxy rather than a class: every member the port has (today's and those added later, such as stats)
 * passes through untouched; only the ICE state, the remote description, restarts and ICE-state listeners
 * are watched.
 */
function createGuard(pc: PeerConnectionPort, options: RelayGuardOptions): PeerConnectionPort {
  const { clock, onRefused } = options;
  /** Candidates of the current gathering (an ICE restart starts a new one). */
  let gathered = 0;
  let gatheringEnded = false;
  let remoteDescriptionSet = false;
  let failed = false;
  let lastError: RelayRefusal = {};
  const iceListeners = new Set<AnyListener>();
  /** Running from the first local description of a gathering until its first candidate. */
  let deadline: unknown = null;
  const stopDeadline = () => {
    if (deadline !== null) clock.clearTimeout(deadline);
    deadline = null;
  };
  const gaveNothing = () => {
    stopDeadline();
    // Some platforms put the candidates in the description instead of (or as well as) the events.
    if (gathered > 0 || hasCandidateLine(pc.localDescription?.sdp)) return;
    gatheringEnded = true;
    failIfCertain();
  };

  /** Both ends of the condition: nothing to offer, and the peer's description is in (checks would start). */
  const failIfCertain = () => {
    if (failed || !gatheringEnded || !remoteDescriptionSet) return;
    failed = true;
    onRefused(lastError);
    for (const listener of [...iceListeners]) listener({ type: 'iceconnectionstatechange' });
  };

  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate?.candidate) {
      gathered += 1;
      stopDeadline();
      return;
    }
    gaveNothing();
  });
  try {
    pc.addEventListener('icecandidateerror', (event: IceCandidateErrorEventPort) => {
      lastError = {
        ...(typeof event.errorCode === 'number' ? { errorCode: event.errorCode } : {}),
        ...(typeof event.errorText === 'string' ? { errorText: event.errorText.slice(0, 200) } : {}),
        ...(typeof event.url === 'string' ? { url: event.url.slice(0, 200) } : {}),
      };
    });
  } catch {
    // A port that knows no such event (it is optional): the refusal is still detected, without a code.
  }

  const overrides: Partial<PeerConnectionPort> = {
    async setLocalDescription(description) {
      await pc.setLocalDescription(description);
      if (deadline === null && gathered === 0 && !gatheringEnded && !failed) {
        deadline = clock.setTimeout(gaveNothing, options.gatheringTimeoutMs);
      }
    },
    async setRemoteDescription(description: SessionDescription) {
      await pc.setRemoteDescription(description);
      remoteDescriptionSet = true;
      failIfCertain();
    },
    restartIce() {
      // A restart gathers again, perhaps with fresh credentials (setConfiguration): judge it afresh.
      gathered = 0;
      gatheringEnded = false;
      failed = false;
      stopDeadline();
      pc.restartIce();
    },
    close() {
      stopDeadline();
      pc.close();
    },
    addEventListener(type, listener) {
      if (type === 'iceconnectionstatechange') iceListeners.add(listener as AnyListener);
      pc.addEventListener(type, listener);
    },
    removeEventListener(type, listener) {
      if (type === 'iceconnectionstatechange') iceListeners.delete(listener as AnyListener);
      pc.removeEventListener(type, listener);
    },
  };

  return new Proxy(pc, {
    get(target, property) {
      if (property === 'iceConnectionState') return failed ? 'failed' : target.iceConnectionState;
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof PeerConnectionPort];
      const value = Reflect.get(target, property, target);
      // Methods run on the real object (a browser's RTCPeerConnection refuses a Proxy as `this`).
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
