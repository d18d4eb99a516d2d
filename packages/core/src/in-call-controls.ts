// The phone's in-call controls (mute, camera, hold, screen, devices, video, messages): each checks its
// arguments, asks the current call's machine, and says `invalid-state` when no call it applies to is under way.
import type { Actor, StateValue } from 'xstate';
import type { callMachine } from './call/call-machine.js';
import type { CallEmitted } from './call/events.js';
import { HandsetError } from './errors.js';
import type { DeviceInfo, EnumerateDevices } from './ports.js';
import { PROTOCOL_LIMITS, utf8Length } from './protocol.js';

type CallActor = Actor<typeof callMachine>;
type CallCommand = Parameters<CallActor['send']>[0];
type Control = Extract<CallEmitted, { type: 'control.result' }>['control'];

/** The methods `createPhone` adds for a call under way (documented on `Phone`). */
export interface InCallControls {
  /**
   * Mutes (`false`) or unmutes the microphone: the track keeps running but sends silence, so unmuting is
   * instant. Allowed from dialing or ringing on (remembered until media exists); the peer is told.
   */
  setMicrophone(on: boolean): void;
  /**
   * Turns the camera off (its track is stopped: the light goes off) or on again (a new camera track, sent
   * without renegotiation). Allowed from dialing or ringing on; throws `invalid-state` in an audio-only
   * call (use `startVideo`). A refused camera gives a `device-failed` warning; the camera stays off.
   */
  setCamera(on: boolean): void;
  /** Puts the connected call on hold: media stops both ways until `resumeCall`. The peer is told. */
  holdCall(): void;
  /** Takes this side's hold off; media flows again unless the peer holds too. */
  resumeCall(): void;
  /**
   * Shares a screen instead of the camera (see the README); rejects `screen-share-failed` if the screen
   * could not be opened (the call goes on). Connected calls only.
   */
  startScreenShare(): Promise<void>;
  /** Stops sharing: the camera comes back if it was on. */
  stopScreenShare(): void;
  /**
   * Switches the microphone or camera to another device, without renegotiation. Rejects `device-failed`
   * if the device cannot be opened (the old one stays).
   */
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void>;
  /** The devices the `enumerateDevices` port lists (`[]` without one). */
  listDevices(): Promise<DeviceInfo[]>;
  /** Adds video to an audio-only call (camera on, renegotiated); the peer receives it but keeps its camera off. */
  startVideo(): void;
  /** Stops sending video (camera off, renegotiated); the call stays up as audio. */
  stopVideo(): void;
  /**
   * Sends a text message to the peer over the call's data channel. Throws `message-too-large` over
   * `PROTOCOL_LIMITS.maxCallMessageBytes`, `invalid-state` while the channel is not open.
   */
  sendMessage(text: string): void;
}

export interface ControlsHost {
  current(): CallActor;
  disposed(): boolean;
  enumerateDevices: EnumerateDevices | undefined;
}

/** A promise per asynchronous control of the current call, settled by the machine's `control.result`. */
export class PendingControls {
  private readonly pending = new Map<Control, { resolve(): void; reject(error: HandsetError): void }>();

  wait(control: Control): Promise<void> {
    return new Promise((resolve, reject) => this.pending.set(control, { resolve, reject }));
  }

  settle(result: Extract<CallEmitted, { type: 'control.result' }>): void {
    const waiting = this.pending.get(result.control);
    this.pending.delete(result.control);
    if (result.error) waiting?.reject(result.error);
    else waiting?.resolve();
  }

  /** The call ended (or the phone was disposed) before the control finished. */
  abandon(): void {
    for (const waiting of this.pending.values()) {
      waiting.reject(HandsetError.invalidState('the call ended before the control finished'));
    }
    this.pending.clear();
  }
}

const inMedia = (region: 'microphone' | 'camera', state: string): StateValue => ({
  active: { media: { [region]: state } },
});
const inConnected = (region: 'hold' | 'screen', state: string): StateValue => ({
  active: { phase: { connected: { [region]: state } } },
});

export function createInCallControls(host: ControlsHost, pending: PendingControls): InCallControls {
  const snapshot = () => host.current().getSnapshot();
  const at = (...places: StateValue[]) => places.some((place) => snapshot().matches(place as never));

  /** Sends the command if the call can take it; a no-op if it is already so; otherwise `invalid-state`. */
  function control(event: CallCommand, what: string, alreadySo: () => boolean): void {
    if (host.disposed()) throw HandsetError.invalidState('the phone was disposed');
    if (snapshot().can(event)) {
      host.current().send(event);
      return;
    }
    if (snapshot().matches('active' as never) && alreadySo()) return;
    throw HandsetError.invalidState(`cannot ${what}: no call it applies to is under way`);
  }

  /**
   * An asynchronous control: its promise is registered before the command is sent (a result may come back
   * within the send), and only for a command the call takes, so one in flight is never overwritten.
   */
  function ask(event: CallCommand, result: Control, what: string): Promise<void> {
    if (host.disposed()) throw HandsetError.invalidState('the phone was disposed');
    if (!snapshot().can(event)) {
      throw HandsetError.invalidState(
        `cannot ${what}: no call it applies to is under way, or one is in progress`,
      );
    }
    const settled = pending.wait(result);
    host.current().send(event);
    return settled;
  }

  function checkSwitch(on: unknown, what: string): asserts on is boolean {
    if (typeof on !== 'boolean') throw HandsetError.invalidArgument(`${what} takes true or false`);
  }

  return {
    setMicrophone(on) {
      checkSwitch(on, 'setMicrophone');
      control({ type: 'user.microphone', on }, 'switch the microphone', () =>
        at(inMedia('microphone', on ? 'on' : 'off')),
      );
    },
    setCamera(on) {
      checkSwitch(on, 'setCamera');
      if (at(inMedia('camera', 'none'), inMedia('camera', 'starting'))) {
        throw HandsetError.invalidState('the call sends no video: use startVideo to add it');
      }
      control({ type: 'user.camera', on }, 'switch the camera', () =>
        on ? at(inMedia('camera', 'on'), inMedia('camera', 'opening')) : at(inMedia('camera', 'off')),
      );
    },
    holdCall() {
      control({ type: 'user.hold' }, 'hold', () =>
        at(inConnected('hold', 'local'), inConnected('hold', 'both')),
      );
    },
    resumeCall() {
      control({ type: 'user.resume' }, 'resume', () =>
        at(inConnected('hold', 'none'), inConnected('hold', 'remote')),
      );
    },
    async startScreenShare() {
      if (at(inConnected('screen', 'on'))) return;
      await ask({ type: 'user.startScreenShare' }, 'screen-share', 'share the screen');
    },
    stopScreenShare() {
      control({ type: 'user.stopScreenShare' }, 'stop sharing', () => at(inConnected('screen', 'off')));
    },
    async switchDevice(kind, deviceId) {
      if (kind !== 'audioinput' && kind !== 'videoinput') {
        throw HandsetError.invalidArgument("switchDevice takes 'audioinput' or 'videoinput'");
      }
      if (typeof deviceId !== 'string' || deviceId.length === 0) {
        throw HandsetError.invalidArgument('switchDevice needs a device id (from listDevices)');
      }
      await ask({ type: 'user.switchDevice', kind, deviceId }, 'switch-device', 'switch devices');
    },
    async listDevices() {
      return host.enumerateDevices ? host.enumerateDevices() : [];
    },
    startVideo() {
      control({ type: 'user.startVideo' }, 'start video', () =>
        at(inMedia('camera', 'on'), inMedia('camera', 'off'), inMedia('camera', 'opening')),
      );
    },
    stopVideo() {
      control({ type: 'user.stopVideo' }, 'stop video', () => at(inMedia('camera', 'none')));
    },
    sendMessage(text) {
      if (typeof text !== 'string') throw HandsetError.invalidArgument('sendMessage takes a string');
      // Each UTF-16 unit is at least one byte: a text that long is over without counting.
      const max = PROTOCOL_LIMITS.maxCallMessageBytes;
      if (text.length > max || utf8Length(text) > max) {
        throw new HandsetError('message-too-large', `a message may be at most ${max} bytes as UTF-8`);
      }
      control(
        { type: 'user.message', text },
        'send a message (the message channel is not open)',
        () => false,
      );
    },
  };
}
