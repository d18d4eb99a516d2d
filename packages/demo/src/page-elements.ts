// The page's elements, looked up once; a missing one is a broken index.html, reported by its id.

function byId<T extends HTMLElement>(id: string, kind: { new (): T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`index.html has no <${kind.name}> #${id}`);
  return element;
}

export function findPageElements() {
  return {
    loginForm: byId('login-form', HTMLFormElement),
    myId: byId('my-id', HTMLInputElement),
    peerId: byId('peer-id', HTMLInputElement),
    transport: byId('transport', HTMLSelectElement),
    relayOnly: byId('relay-only', HTMLInputElement),
    login: byId('login', HTMLButtonElement),
    linkStatus: byId('link-status', HTMLElement),
    call: byId('call', HTMLButtonElement),
    answer: byId('answer', HTMLButtonElement),
    reject: byId('reject', HTMLButtonElement),
    hangup: byId('hangup', HTMLButtonElement),
    callState: byId('call-state', HTMLElement),
    callStateText: byId('call-state-text', HTMLElement),
    callMessage: byId('call-message', HTMLElement),
    callQuality: byId('call-quality', HTMLElement),
    callControls: byId('call-controls', HTMLElement),
    mute: byId('mute', HTMLButtonElement),
    camera: byId('camera', HTMLButtonElement),
    hold: byId('hold', HTMLButtonElement),
    share: byId('share', HTMLButtonElement),
    devices: byId('devices', HTMLElement),
    microphoneSelect: byId('microphone-select', HTMLSelectElement),
    cameraSelect: byId('camera-select', HTMLSelectElement),
    peerState: byId('peer-state', HTMLElement),
    chat: byId('chat', HTMLElement),
    chatLog: byId('chat-log', HTMLOListElement),
    chatForm: byId('chat-form', HTMLFormElement),
    message: byId('message', HTMLInputElement),
    send: byId('send', HTMLButtonElement),
    sound: byId('sound', HTMLInputElement),
    localVideo: byId('local-video', HTMLVideoElement),
    remoteVideo: byId('remote-video', HTMLVideoElement),
    remoteCaption: byId('remote-caption', HTMLElement),
    remoteScreenLabel: byId('remote-screen-label', HTMLElement),
    statechart: byId('statechart', HTMLElement),
    transitionLog: byId('transition-log', HTMLOListElement),
  };
}

export type PageElements = ReturnType<typeof findPageElements>;
