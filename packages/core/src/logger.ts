// The one logger shape of Handset's transports and servers: structured, namespaced, silent by default.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One entry per event: a stable kebab-case `event` name and flat fields (`callId`, `userId`, `ns`...). */
export type Logger = (level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>) => void;

export const silentLogger: Logger = () => {};

/** The logger a module uses: adds its namespace (`handset:ws`) and keeps a throwing sink out of its way. */
export function namespacedLogger(
  sink: Logger | undefined,
  ns: string,
): (level: LogLevel, event: string, fields?: Readonly<Record<string, unknown>>) => void {
  if (!sink) return () => {};
  return (level, event, fields = {}) => {
    try {
      sink(level, event, { ...fields, ns });
    } catch {
      // A broken log sink must not take the link down with it.
    }
  };
}
