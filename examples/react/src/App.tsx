// A contact-video page: log in as one ID, call another, answer, hang up. All call logic is the phone's;
// the page renders its call view and turns clicks into commands.
import type { PhoneOptions } from '@handset/core';
import { useCall, usePhone, usePhoneEvents } from '@handset/react';
import { useEffect, useRef, useState } from 'react';
import { phoneOptions } from './signaling.ts';

function Video({ id, stream, muted }: { id: string; stream: unknown; muted?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream as MediaStream | null;
  }, [stream]);
  return <video id={id} ref={ref} autoPlay playsInline muted={muted} />;
}

/** Mounted at login: its phone lives as long as it does (under StrictMode, the second of two). */
function CallScreen({ options, peerId }: { options: PhoneOptions; peerId: string }) {
  const phone = usePhone(options);
  const call = useCall(phone);
  const [link, setLink] = useState('connecting');
  const [notice, setNotice] = useState('');
  usePhoneEvents(phone, (event) => {
    if (event.type === 'transport-status') setLink(event.status);
    if (event.type === 'incoming-call') setNotice(`Incoming call from ${event.peerId}`);
    if (event.type === 'call-ended') setNotice(`Call ended: ${event.reason.code}`);
  });

  const state = call?.state ?? 'idle';
  const inCall = state !== 'idle' && state !== 'ended';
  return (
    <section>
      <button type="button" disabled={!phone || inCall} onClick={() => phone?.makeCall(peerId)}>
        Call
      </button>
      <button type="button" disabled={state !== 'incoming'} onClick={() => phone?.answerCall()}>
        Answer
      </button>
      <button type="button" disabled={!inCall} onClick={() => phone?.hangupCall()}>
        Hang up
      </button>
      <p id="link-status" data-link-status={link}>
        Signaling: {link}
      </p>
      <p id="call-state" role="status" data-call-state={state}>
        {state}
      </p>
      <p>{notice}</p>
      <Video id="local-video" stream={call?.localStream ?? null} muted />
      <Video id="remote-video" stream={call?.remoteStream ?? null} />
    </section>
  );
}

export function App() {
  const [myId, setMyId] = useState('10000');
  const [peerId, setPeerId] = useState('20000');
  // Kept in state: the same options object for as long as the user stays logged in.
  const [options, setOptions] = useState<PhoneOptions | null>(null);
  return (
    <main>
      <h1>Handset · React</h1>
      <label>
        My ID <input value={myId} onChange={(e) => setMyId(e.target.value)} disabled={options !== null} />
      </label>
      <label>
        Peer ID <input value={peerId} onChange={(e) => setPeerId(e.target.value)} />
      </label>
      <button type="button" disabled={options !== null} onClick={() => setOptions(phoneOptions(myId))}>
        Login
      </button>
      {options && <CallScreen options={options} peerId={peerId} />}
    </main>
  );
}
