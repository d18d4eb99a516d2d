// Structured, namespaced logging for the server: one entry per event, silent unless a logger is injected.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  level: LogLevel;
  /** Always `handset:ws`, so a shared sink can filter. */
  ns: 'handset:ws';
  /** What happened, as a stable kebab-case name (`bad-frame`, `auth-refused`, `dev-mode`...). */
  event: string;
  [field: string]: unknown;
}

export type SignalLogger = (entry: LogEntry) => void;

export const silentLogger: SignalLogger = () => {};

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** JSON lines on a stream (stderr by default), for the CLI. */
export function createJsonLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
): SignalLogger {
  return (entry) => {
    if (ORDER[entry.level] < ORDER[minLevel]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  };
}

export type Log = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

/** Binds the namespace once; a throwing sink never reaches the server's control flow. */
export function bindLogger(sink: SignalLogger): Log {
  return (level, event, fields) => {
    try {
      sink({ ...fields, level, ns: 'handset:ws', event });
    } catch {
      // A broken log sink must not take connections down with it.
    }
  };
}
