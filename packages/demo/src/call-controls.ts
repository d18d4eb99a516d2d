// The in-call buttons (Mute, Camera off, Hold, Share screen) and the Microphone / Camera selects: each shown
// only in the call states where the phone accepts it, labelled for what a press will do, wired to the phone.
import type { CallState, CallView, DeviceInfo, MediaStreamPort, Phone } from '@handset/core';

export interface CallControlElements {
  callControls: HTMLElement;
  mute: HTMLButtonElement;
  camera: HTMLButtonElement;
  hold: HTMLButtonElement;
  share: HTMLButtonElement;
  devices: HTMLElement;
  microphoneSelect: HTMLSelectElement;
  cameraSelect: HTMLSelectElement;
}

export interface CallControlOptions {
  phone(): Phone | null;
  /** Whether the browser can share a screen at all (no getDisplayMedia: no button). */
  canShareScreen: boolean;
  /** A refusal (wrong moment, device failed, screen refused) for the page's message line. */
  report(error: unknown): void;
}

export interface CallControls {
  render(view: CallView): void;
}

/** From the first ring on, microphone and camera may be set; the phone applies it once media exists. */
const BEFORE_CONNECT: ReadonlySet<CallState> = new Set([
  'acquiring-media',
  'dialing',
  'ringing',
  'incoming',
  'answering',
  'connecting',
]);
/** A connected call, whatever it is busy with. */
const LIVE: ReadonlySet<CallState> = new Set(['connected', 'on-hold', 'renegotiating', 'reconnecting']);
/**
 * Hold and screen sharing are offered while connected (held or not); during a renegotiation they stay in
 * place, disabled, so the buttons do not flicker while a hold's own offer and answer go by.
 */
const SETTLED: ReadonlySet<CallState> = new Set(['connected', 'on-hold', 'renegotiating']);
/** switchDevice needs local media under way. */
const DEVICE_STATES: ReadonlySet<CallState> = new Set(['connecting', ...LIVE]);

type InputKind = 'audioinput' | 'videoinput';

/** The device a stream's track of this kind comes from, when the platform says (browsers do). */
function liveDeviceId(stream: MediaStreamPort | null, kind: 'audio' | 'video'): string | null {
  const track = stream?.getTracks().find((t) => t.kind === kind && t.readyState !== 'ended');
  return track?.getSettings?.().deviceId ?? null;
}

function fillSelect(select: HTMLSelectElement, devices: readonly DeviceInfo[], fallbackName: string): void {
  const options = devices.map((device, index) => {
    const option = document.createElement('option');
    option.value = device.deviceId;
    // Labels are empty until the page has been granted media once.
    option.textContent = device.label || `${fallbackName} ${index + 1}`;
    return option;
  });
  select.replaceChildren(...options);
}

export function createCallControls(elements: CallControlElements, options: CallControlOptions): CallControls {
  let view: CallView | null = null;
  let listedFor: string | null = null;
  const chosen: Record<InputKind, string | null> = { audioinput: null, videoinput: null };
  // While a switch is under way the old track is still live: the select keeps the person's choice.
  const switching: Record<InputKind, boolean> = { audioinput: false, videoinput: false };

  /** Runs a phone command; a synchronous refusal or a rejected promise is reported, never thrown. */
  function command(run: (phone: Phone) => void | Promise<void>): void {
    const phone = options.phone();
    if (!phone) return;
    try {
      const result = run(phone);
      if (result) result.catch(options.report);
    } catch (error) {
      options.report(error);
    }
  }

  async function listDevices(): Promise<void> {
    const phone = options.phone();
    if (!phone) return;
    try {
      const devices = await phone.listDevices();
      fillSelect(
        elements.microphoneSelect,
        devices.filter((d) => d.kind === 'audioinput'),
        'Microphone',
      );
      fillSelect(
        elements.cameraSelect,
        devices.filter((d) => d.kind === 'videoinput'),
        'Camera',
      );
      if (view) showSelected(view);
    } catch (error) {
      options.report(error);
    }
  }

  function showSelected(current: CallView): void {
    const microphone = liveDeviceId(current.localStream, 'audio') ?? chosen.audioinput;
    const camera = liveDeviceId(current.localStream, 'video') ?? chosen.videoinput;
    if (microphone && !switching.audioinput) elements.microphoneSelect.value = microphone;
    if (camera && !switching.videoinput) elements.cameraSelect.value = camera;
  }

  function switchTo(kind: InputKind, select: HTMLSelectElement): void {
    const deviceId = select.value;
    switching[kind] = true;
    command(async (phone) => {
      try {
        await phone.switchDevice(kind, deviceId);
        chosen[kind] = deviceId;
      } finally {
        switching[kind] = false;
        if (view) showSelected(view);
      }
    });
  }

  elements.mute.addEventListener('click', () => {
    const on = view?.localMedia.microphone ?? true;
    command((phone) => phone.setMicrophone(!on));
  });
  elements.camera.addEventListener('click', () => {
    const on = view?.localMedia.camera ?? true;
    command((phone) => phone.setCamera(!on));
  });
  elements.hold.addEventListener('click', () => {
    const holding = view?.hold === 'local' || view?.hold === 'both';
    command((phone) => (holding ? phone.resumeCall() : phone.holdCall()));
  });
  elements.share.addEventListener('click', () => {
    const sharing = view?.localMedia.screen ?? false;
    command((phone) => (sharing ? phone.stopScreenShare() : phone.startScreenShare()));
  });
  elements.microphoneSelect.addEventListener('change', () =>
    switchTo('audioinput', elements.microphoneSelect),
  );
  elements.cameraSelect.addEventListener('change', () => switchTo('videoinput', elements.cameraSelect));
  // A device plugged in or out mid-call shows up in the selects at once.
  navigator.mediaDevices?.addEventListener?.('devicechange', () => {
    if (listedFor !== null) void listDevices();
  });

  return {
    render(next) {
      view = next;
      const { state, localMedia } = next;
      const inCall = BEFORE_CONNECT.has(state) || LIVE.has(state);
      const settled = SETTLED.has(state);
      const busy = state === 'renegotiating';
      elements.mute.hidden = !inCall;
      elements.mute.textContent = localMedia.microphone ? 'Mute' : 'Unmute';
      elements.camera.hidden = !inCall || !localMedia.video;
      elements.camera.textContent = localMedia.camera ? 'Camera off' : 'Camera on';
      elements.hold.hidden = !settled;
      elements.hold.disabled = busy;
      elements.hold.textContent = next.hold === 'local' || next.hold === 'both' ? 'Resume' : 'Hold';
      // Stop sharing stays on offer whatever the call is doing; starting waits for a settled call.
      elements.share.hidden = !options.canShareScreen || !(localMedia.screen ? LIVE.has(state) : settled);
      elements.share.textContent = localMedia.screen ? 'Stop sharing' : 'Share screen';
      elements.share.disabled = busy && !localMedia.screen;
      elements.callControls.hidden = !inCall;

      const devices = DEVICE_STATES.has(state);
      elements.devices.hidden = !devices;
      elements.cameraSelect.disabled = !localMedia.video || !localMedia.camera || localMedia.screen;
      if (!devices) {
        listedFor = null;
        chosen.audioinput = chosen.videoinput = null;
        return;
      }
      if (listedFor !== next.callId) {
        listedFor = next.callId;
        void listDevices();
      } else showSelected(next);
    },
  };
}
