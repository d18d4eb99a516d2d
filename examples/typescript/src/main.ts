// A contact-video page without a framework: the phone's call view drives the DOM, buttons send commands.
import { createPhone, type Phone } from '@handset/core';
import { phoneOptions } from './signaling.ts';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const myId = element<HTMLInputElement>('my-id');
const peerId = element<HTMLInputElement>('peer-id');
const [login, call, answer, hangup] = ['login', 'call', 'answer', 'hangup'].map(element<HTMLButtonElement>);
const status = element<HTMLParagraphElement>('call-state');
const linkStatus = element<HTMLParagraphElement>('link-status');
const localVideo = element<HTMLVideoElement>('local-video');
const remoteVideo = element<HTMLVideoElement>('remote-video');
let phone: Phone | null = null;

login!.onclick = () => {
  const options = phoneOptions(myId.value);
  phone = createPhone(options);
  login!.disabled = myId.disabled = true;
  options.transport.status$.subscribe((link) => {
    linkStatus.dataset.linkStatus = link;
    linkStatus.textContent = `Signaling: ${link}`;
  });
  phone.call$.subscribe((view) => {
    const inCall = view.state !== 'idle' && view.state !== 'ended';
    status.dataset.callState = status.textContent = view.state;
    call!.disabled = inCall;
    answer!.disabled = view.state !== 'incoming';
    hangup!.disabled = !inCall;
    // Assigned only when it changes: a new srcObject restarts the video element.
    if (localVideo.srcObject !== view.localStream)
      localVideo.srcObject = view.localStream as MediaStream | null;
    if (remoteVideo.srcObject !== view.remoteStream)
      remoteVideo.srcObject = view.remoteStream as MediaStream | null;
  });
};
call!.onclick = () => phone?.makeCall(peerId.value);
answer!.onclick = () => phone?.answerCall();
hangup!.onclick = () => phone?.hangupCall();
