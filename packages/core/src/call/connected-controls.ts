// The regions a connected call adds beside ICE and negotiation: hold (by either side, or both), screen
// sharing, the message channel, and the request for an offer that hold and video changes make — kept
// until the negotiation region takes it, as the ICE-restart request is.
import { outputOf } from './call-setup.js';
import { callSetup } from './control-actions.js';

const changed = 'announceMediaChanged' as const;
const held = ['holdMedia', 'requestOffer', changed] as const;
const resumed = ['resumeMedia', 'requestOffer', changed] as const;

export const connectedControls = callSetup.createStateConfig({
  type: 'parallel',
  states: {
    hold: {
      initial: 'none',
      states: {
        // The peer holding (said now, or before this side saw the connection up) is read from what it said:
        // the eventless transition takes it as soon as its media state is stored.
        none: {
          always: { guard: 'isPeerHolding', target: 'remote' },
          on: { 'user.hold': { target: 'local', actions: [...held] } },
        },
        local: {
          on: { 'user.resume': { target: 'none', actions: [...resumed] }, 'peer.held': 'both' },
        },
        remote: {
          on: { 'user.hold': { target: 'both', actions: [...held] }, 'peer.resumed': 'none' },
        },
        both: {
          on: { 'user.resume': { target: 'remote', actions: [...resumed] }, 'peer.resumed': 'local' },
        },
      },
    },
    screen: {
      initial: 'off',
      states: {
        off: { on: { 'user.startScreenShare': 'opening' } },
        opening: {
          invoke: {
            src: 'openScreen',
            input: ({ context }) => ({
              getDisplayMedia: context.ports.getDisplayMedia,
              pc: context.pc,
              audioOnly: !context.media.video,
            }),
            onDone: [
              {
                // In an audio call the screen went on a transceiver of its own: the peer must be offered it.
                guard: 'isVideoCall',
                target: 'on',
                actions: [
                  { type: 'shareScreen', params: outputOf },
                  'watchTracks',
                  { type: 'reportControlResult', params: { control: 'screen-share' } },
                  changed,
                ],
              },
              {
                target: 'on',
                actions: [
                  { type: 'shareScreen', params: outputOf },
                  'watchTracks',
                  'requestOffer',
                  { type: 'reportControlResult', params: { control: 'screen-share' } },
                  changed,
                ],
              },
            ],
            onError: {
              target: 'off',
              actions: { type: 'reportControlResult', params: { control: 'screen-share' } },
            },
          },
          on: {
            // Cancelled before the picker answered: a screen that opens late is stopped at once.
            'user.stopScreenShare': {
              target: 'off',
              actions: { type: 'reportControlResult', params: { control: 'screen-share' } },
            },
          },
        },
        on: {
          on: {
            'user.stopScreenShare': { target: 'off', actions: ['unshareScreen', changed] },
            // The browser's own "Stop sharing" ends the track: the same as the app's stop.
            'track.ended': { guard: 'isScreenEnded', target: 'off', actions: ['unshareScreen', changed] },
          },
        },
      },
    },
    messages: {
      initial: 'waiting',
      states: {
        // The channel may have opened while the call was still connecting. Connected, it opens a moment
        // after ICE (DTLS, then SCTP): messages sent meanwhile wait for it, in order, rather than fail.
        waiting: {
          always: { guard: 'isChannelOpen', target: 'open', actions: 'sendQueuedMessages' },
          on: {
            'channel.open': { target: 'open', actions: 'sendQueuedMessages' },
            'channel.closed': 'closed',
            'user.message': { guard: 'hasRoomForQueuedMessage', actions: 'queueMessage' },
          },
        },
        open: {
          on: { 'user.message': { actions: 'sendCallMessage' }, 'channel.closed': 'closed' },
        },
        closed: {},
      },
    },
    offerRequest: {
      initial: 'idle',
      states: {
        idle: { on: { 'negotiation.offerWanted': 'wanted' } },
        // Asked again each time negotiation settles until it takes the request: one made while it was busy
        // (answering the peer, or an offer of its own under way) is not lost.
        wanted: {
          entry: 'askForOffer',
          on: {
            'negotiation.offerTaken': 'offered',
            // An ICE-restart offer made now carries the changed directions too: it pays the debt.
            'negotiation.iceRestartTaken': 'offered',
            'negotiation.settled': { target: 'wanted', reenter: true },
          },
        },
        offered: {
          on: {
            // Changed again while the offer was out: that offer may not carry the change.
            'negotiation.offerWanted': 'wanted',
            'negotiation.offerAnswered': 'idle',
            // Settled without its answer: the offer was rolled back (the peer's offer crossed it).
            'negotiation.settled': 'wanted',
          },
        },
      },
    },
  },
});
