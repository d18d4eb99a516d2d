// Ring-back for the caller and a ring for the callee, synthesised with WebAudio (no sound files to ship).
// The AudioContext is created on the Login click, since browsers only start audio after a user gesture.

export type ToneKind = 'ring-back' | 'ringing';

interface TonePattern {
  frequencies: readonly number[];
  /** Seconds on, then off, repeated. */
  onSeconds: number;
  periodSeconds: number;
}

// The European ring-back (425 Hz, 1 s on / 4 s off) and a brighter two-tone ring for the callee.
const PATTERNS: Record<ToneKind, TonePattern> = {
  'ring-back': { frequencies: [425], onSeconds: 1, periodSeconds: 5 },
  ringing: { frequencies: [880, 1100], onSeconds: 1.2, periodSeconds: 3 },
};

export interface TonePlayer {
  /** Call from a click handler: creates (or resumes) the AudioContext while the gesture allows it. */
  unlock(): void;
  play(kind: ToneKind): void;
  stop(): void;
  setEnabled(enabled: boolean): void;
}

export function createTonePlayer(): TonePlayer {
  let context: AudioContext | null = null;
  let playing: { kind: ToneKind; timer: ReturnType<typeof setInterval>; gain: GainNode } | null = null;
  let enabled = true;

  function burst(pattern: TonePattern, gain: GainNode, audio: AudioContext): void {
    const start = audio.currentTime;
    for (const frequency of pattern.frequencies) {
      const oscillator = audio.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(start);
      oscillator.stop(start + pattern.onSeconds);
    }
  }

  function stop(): void {
    if (!playing) return;
    clearInterval(playing.timer);
    playing.gain.disconnect();
    playing = null;
  }

  function audioContext(): AudioContext | null {
    if (typeof AudioContext === 'undefined') return null;
    context ??= new AudioContext();
    void context.resume().catch(() => {});
    return context;
  }

  return {
    unlock() {
      audioContext();
    },
    play(kind) {
      if (playing?.kind === kind) return;
      stop();
      const audio = enabled ? audioContext() : null;
      if (!audio) return;
      const pattern = PATTERNS[kind];
      const gain = audio.createGain();
      gain.gain.value = 0.08;
      gain.connect(audio.destination);
      burst(pattern, gain, audio);
      const timer = setInterval(() => burst(pattern, gain, audio), pattern.periodSeconds * 1000);
      playing = { kind, timer, gain };
    },
    stop,
    setEnabled(value) {
      enabled = value;
      if (!value) stop();
    },
  };
}
