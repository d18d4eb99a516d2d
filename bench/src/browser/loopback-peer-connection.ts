// Keeps every WebRTC connection of the bench page on 127.0.0.1: remote candidates for any other address
// are dropped, whether trickled or written into the SDP. Installed as the page's global
// RTCPeerConnection, so PeerJS, Handset and the raw pair are all held to the same rule, and all marked
// alike (setup-marks.ts) at each step of their setup.
import { markPeerConnection, markStep } from './setup-marks.js';

/** `candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ...`: the address is the fifth field. */
function isLoopback(candidate: string): boolean {
  return candidate.replace(/^a=/, '').split(' ')[4] === '127.0.0.1';
}

function loopbackSdp(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isLoopback(line))
    .join('\r\n');
}

const NativePeerConnection = globalThis.RTCPeerConnection;

export class LoopbackPeerConnection extends NativePeerConnection {
  private readonly side = markPeerConnection(this);

  override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    if (candidate?.candidate && !isLoopback(candidate.candidate)) return Promise.resolve();
    if (candidate?.candidate) markStep(this.side, 'first loopback remote candidate added');
    return super.addIceCandidate(candidate ?? undefined);
  }

  override async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    await super.setLocalDescription(description);
    markStep(this.side, `local ${this.localDescription?.type ?? 'description'} set`);
  }

  override async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await super.setRemoteDescription(
      description.sdp ? { type: description.type, sdp: loopbackSdp(description.sdp) } : description,
    );
    markStep(this.side, `remote ${description.type} set`);
  }
}

export function installLoopbackPeerConnection(): void {
  globalThis.RTCPeerConnection = LoopbackPeerConnection;
}

/** Resolves when ICE on `pc` is connected (or completed). */
export function iceConnected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
        pc.removeEventListener('iceconnectionstatechange', check);
        resolve();
      }
    };
    pc.addEventListener('iceconnectionstatechange', check);
    check();
  });
}
