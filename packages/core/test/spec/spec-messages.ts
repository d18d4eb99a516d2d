// What the world says to the call and what the call says back, in the rows' words: the message the peer (or a
// stranger, or the transport) sends for each remote event, the notation sent messages are compared in, and
// the state value a world stands for.
import type { StateValue } from 'xstate';
import { type Envelope, type EnvelopeDraft, PROTOCOL_LIMITS } from '../../src/protocol.js';
import {
  CALL_IDS,
  ME,
  MY_DEVICE,
  MY_OTHER_DEVICE,
  PEER,
  PEER_DEVICE,
  PEER_OTHER_DEVICE,
  SECOND_STRANGER,
  SECOND_STRANGER_DEVICE,
  type SpecEvent,
  STRANGER,
  STRANGER_DEVICE,
  type World,
} from './spec-world.js';

export const INVITE_LIFETIME_MS = 45_000;

export const sdp = (what: string) => `v=0\r\no=${what} 1 1 IN IP4 127.0.0.1\r\ns=-\r\n`;

export const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: null,
};

/** As many distinct host candidates as one message may carry. */
export const manyCandidates = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    ...CANDIDATE,
    candidate: `candidate:${i + 2} 1 udp 2122260223 127.0.0.1 ${41000 + i} typ host`,
  }));

/** A message in the rows' notation: type, reason or description, then addressee and call id when not the call's. */
export function messageOf(e: Envelope, callId: string | null): string {
  let text: string = e.type;
  if (e.type === 'reject' || e.type === 'hangup') text += `:${e.reason}`;
  if (e.type === 'negotiate') text += `:${e.description.type}${e.iceRestart ? '+restart' : ''}`;
  if (e.type === 'candidates' && e.end) text += '(end)';
  if (e.type === 'media-state') {
    const { microphone, camera, screen, held, video } = e.state;
    const on = Object.entries({ microphone, camera, screen, held, video }).filter(([, value]) => value);
    text += `:${on.map(([part]) => part).join('+') || 'nothing'}`;
  }
  if (e.to !== PEER) text += ` to ${e.to}`;
  if (e.callId !== callId) text += ` @${e.callId}`;
  return text;
}

/**
 * The machine's state value the specification expects for a world. A call under way stands in three regions:
 * its phase (the places of the table), its local media (microphone, camera, a device switch) and the trickle
 * of its own candidates (a batch window open or not); a connected
 * call's phase has its own regions (ICE, renegotiation, hold, screen, messages, the request for an offer).
 */
export function expectedValue(w: World): StateValue {
  if (w.at === 'idle' || w.at === 'ended') return w.at;
  const phase =
    w.at === 'active.connected'
      ? {
          connected: {
            ice: nested(w.ice!),
            negotiation: nested(w.negotiation!),
            hold: w.hold,
            screen: w.screen,
            messages: w.channel,
            offerRequest: w.offerRequest,
          },
        }
      : nested(w.at.slice('active.'.length));
  return { active: { phase, media: mediaValue(w), trickle: w.batchTimer ? 'batching' : 'idle' } };
}

/** The media region: the microphone, the camera (`none` in a call that sends no video), a device switch. */
function mediaValue(w: World): StateValue {
  const camera = w.video ? w.camera : w.camera === 'opening' ? 'starting' : 'none';
  return { microphone: w.mic ? 'on' : 'off', camera, switching: w.switching ?? 'idle' };
}

/** `a.b.c` as XState writes a state value: `{ a: { b: 'c' } }`. */
function nested(path: string): StateValue {
  const keys = path.split('.');
  let value: StateValue = keys.at(-1)!;
  for (let i = keys.length - 2; i >= 0; i--) value = { [keys[i]!]: value };
  return value;
}

/**
 * The message the peer (or a stranger, or the transport) sends for a remote event. `mediaSeq` numbers the
 * peer's media states (from 1; a stale one is the peer's seq 0, delivered late).
 */
export function remoteMessage(event: SpecEvent, w: World, mediaSeq = 1): EnvelopeDraft {
  const invite = (
    callId: string,
    from: string,
    fromDevice: string,
    lifetimeMs = INVITE_LIFETIME_MS,
    ageMs = 0,
    video = true,
  ) =>
    ({
      type: 'invite',
      callId,
      from,
      fromDevice,
      to: ME,
      sdp: sdp(`${from} offer`),
      media: { audio: true, video },
      lifetimeMs,
      ...(ageMs ? { ageMs } : {}),
    }) as EnvelopeDraft;
  const fromPeer = (body: object, fromDevice = PEER_DEVICE, toDevice: string | null = MY_DEVICE) =>
    ({
      callId: w.callId!,
      from: PEER,
      fromDevice,
      to: ME,
      ...(toDevice ? { toDevice } : {}),
      ...body,
    }) as EnvelopeDraft;
  const negotiate = (type: 'offer' | 'answer') => ({
    type: 'negotiate',
    description: { type, sdp: sdp(`bob ${type} 2`) },
    iceRestart: false,
  });
  switch (event) {
    case 'remote.invite(peer)':
    case 'remote.invite(peer, no peer connection)':
    case 'remote.invite(peer, send throws)':
      return invite(CALL_IDS.theirs, PEER, PEER_DEVICE);
    case 'remote.invite(peer, audio only)':
      return invite(CALL_IDS.theirs, PEER, PEER_DEVICE, INVITE_LIFETIME_MS, 0, false);
    case 'remote.invite(stale)':
      return invite(CALL_IDS.theirs, PEER, PEER_DEVICE, 1_000, 1_000);
    case 'remote.invite(peer, lesser id)':
      return invite(CALL_IDS.lesser, PEER, PEER_DEVICE);
    case 'remote.invite(peer, greater id)':
      return invite(CALL_IDS.greater, PEER, PEER_DEVICE);
    case 'remote.invite(stranger)':
      return invite(CALL_IDS.stranger, STRANGER, STRANGER_DEVICE);
    case 'remote.invite(second stranger)':
      return invite(CALL_IDS.secondStranger, SECOND_STRANGER, SECOND_STRANGER_DEVICE);
    case 'remote.invite(again)':
      return invite(w.callId!, PEER, PEER_DEVICE);
    case 'remote.ringing':
      return fromPeer({ type: 'ringing' });
    case 'remote.answer':
      return fromPeer({ type: 'answer', sdp: sdp('bob answer') });
    case 'remote.answer(other device)':
      return fromPeer({ type: 'answer', sdp: sdp('bob answer') }, PEER_OTHER_DEVICE);
    case 'remote.reject(declined)':
      return fromPeer({ type: 'reject', reason: 'declined' });
    case 'remote.reject(busy)':
      return fromPeer({ type: 'reject', reason: 'busy' });
    case 'remote.unavailable':
      return fromPeer({ type: 'unavailable' }, 'server');
    case 'remote.cancel':
      return fromPeer({ type: 'cancel' }, PEER_DEVICE, null);
    case 'remote.answerSelected(other device)':
      return fromPeer({ type: 'answer-selected', selectedDevice: MY_OTHER_DEVICE }, PEER_DEVICE, null);
    case 'remote.answerSelected(this device)':
      return fromPeer({ type: 'answer-selected', selectedDevice: MY_DEVICE }, PEER_DEVICE, null);
    case 'remote.candidates':
      return fromPeer({ type: 'candidates', candidates: [CANDIDATE], end: false });
    case 'remote.candidates(more than the buffer holds)':
      return fromPeer({
        type: 'candidates',
        candidates: manyCandidates(PROTOCOL_LIMITS.maxCandidatesPerMessage),
        end: false,
      });
    case 'remote.negotiate(offer)':
      return fromPeer(negotiate('offer'));
    case 'remote.negotiate(answer)':
      return fromPeer(negotiate('answer'));
    case 'remote.hangup(other device)':
      return fromPeer({ type: 'hangup', reason: 'normal' }, PEER_OTHER_DEVICE);
    case 'remote.hangup(other call)':
      return { ...fromPeer({ type: 'hangup', reason: 'normal' }), callId: CALL_IDS.stranger };
    case 'remote.mediaState(held)':
    case 'remote.mediaState(resumed)':
    case 'remote.mediaState(muted)':
    case 'remote.mediaState(stale)':
    case 'remote.mediaState(other device)': {
      const peerHolds = w.hold === 'remote' || w.hold === 'both';
      // What would change the call if it were wrongly taken says the opposite of the peer's hold.
      const held = {
        'remote.mediaState(held)': true,
        'remote.mediaState(resumed)': false,
        'remote.mediaState(muted)': peerHolds,
        'remote.mediaState(stale)': !peerHolds,
        'remote.mediaState(other device)': !peerHolds,
      }[event];
      const state = {
        microphone: event !== 'remote.mediaState(muted)',
        camera: true,
        screen: false,
        held,
        video: true,
      };
      const seq = event === 'remote.mediaState(stale)' ? 0 : mediaSeq;
      const device = event === 'remote.mediaState(other device)' ? PEER_OTHER_DEVICE : PEER_DEVICE;
      return fromPeer({ type: 'media-state', seq, state }, device);
    }
    default: {
      const reason = /^remote\.hangup\((.+)\)$/.exec(event)?.[1];
      if (reason) return fromPeer({ type: 'hangup', reason });
      throw new Error(`the driver does not know the message for ${event}`);
    }
  }
}
