// `?inspect`: also send the call machine to Stately's inspector window. Loaded lazily, so the page
// itself never needs the network; the inspector UI is a remote page (stately.ai).
import type { InspectionEvent, Observer } from 'xstate';

type InspectorModule = typeof import('@statelyai/inspect');

/** Peer connections and media streams cannot cross `postMessage`; the inspector gets their presence only. */
function sanitizeContext(context: Record<string, unknown>): Record<string, unknown> {
  const { ports: _ports, settings: _settings, pc, localStream, remoteStream, ...data } = context;
  return {
    ...data,
    pc: pc ? 'RTCPeerConnection' : null,
    localStream: localStream ? 'MediaStream' : null,
    remoteStream: remoteStream ? 'MediaStream' : null,
  };
}

export interface StatelyInspectorLoader {
  /** Opens the inspector window; call it from a click handler so the popup is allowed. */
  open(): Observer<InspectionEvent>;
}

export function preloadStatelyInspector(): Promise<StatelyInspectorLoader> {
  return import('@statelyai/inspect').then((module: InspectorModule) => ({
    open: () => module.createBrowserInspector({ sanitizeContext }).inspect,
  }));
}
