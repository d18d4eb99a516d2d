// The one logger shape of Handset's transports and servers: structured, namespaced, silent by default.
// Transports, the signaling server, the embedded broker and the demo server all take a `Logger`.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One entry per event: a stable kebab-case `event` name and flat fields (`callId`, `userId`, `ns`...). */
export type Logger = (level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>) => void;

/** What a module logs through once its namespace is bound: fields are optional at the call site. */
export type BoundLogger = (
  level: LogLevel,
  event: string,
  fields?: Readonly<Record<string, unknown>>,
) => void;

export const silentLogger: Logger = () => {};

/** The logger a module uses: adds its namespace (`handset:ws`) and keeps a throwing sink out of its way. */
export function namespacedLogger(sink: Logger | undefined, ns: string): BoundLogger {
  if (!sink) return () => {};
  return (level, event, fields = {}) => {
    try {
      sink(level, event, { ...fields, ns });
    } catch {
      // A broken log sink must not take the link down with it.
    }
  };
}

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A `Logger` that writes one JSON object per line (`{ time, level, event, ...fields }`) at `minLevel` and
 * above: what the CLIs print. `write` is the output (the CLIs pass stderr), so core stays free of Node.
 */
export function jsonLinesLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): Logger {
  return (level, event, fields) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  };
}
