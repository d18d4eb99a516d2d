// Structured, namespaced logging for the embedded broker (the transport takes core's `Logger`): one entry
// per event, silent unless a logger is injected.
import type { Logger } from '@handset/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  level: LogLevel;
  /** `handset:mqtt` (client transport) or `handset:mqtt-broker` (embedded broker). */
  ns: 'handset:mqtt' | 'handset:mqtt-broker';
  /** What happened, as a stable kebab-case name (`spoofed-sender`, `auth-refused`, `dev-mode`...). */
  event: string;
  [field: string]: unknown;
}

export type MqttLogger = (entry: LogEntry) => void;

export const silentLogger: MqttLogger = () => {};

export type Log = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

/** Binds the namespace once; a throwing sink never reaches the caller's control flow. */
export function bindLogger(sink: MqttLogger, ns: LogEntry['ns']): Log {
  return (level, event, fields) => {
    try {
      sink({ ...fields, level, ns, event });
    } catch {
      // A broken log sink must not take the link down with it.
    }
  };
}

/** Core's logger shape as the broker's entry sink, so one `(level, event, fields)` logger serves both. */
export function entryLogger(logger: Logger): MqttLogger {
  return ({ level, event, ...fields }) => logger(level, event, fields);
}
