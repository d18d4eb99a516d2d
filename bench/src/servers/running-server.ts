// What every server under test looks like to the harness.
export interface RunningServer {
  /** The WebSocket (or MQTT) URL clients connect to. */
  url: string;
  /** A second URL when there is one (the embedded broker's MQTT over WebSocket). */
  wsUrl?: string;
  close(): Promise<void>;
}
