// The element's one error type: a closed set of codes, each with the cause it came from.

/**
 * `layout-failed`: elkjs could not be loaded or rejected the graph; the diagram stays empty, the log still runs.
 * `not-a-machine`: `element.machine` was given something that is not an XState machine.
 */
export const INSPECTOR_ERROR_CODES = ['layout-failed', 'not-a-machine'] as const;

export type InspectorErrorCode = (typeof INSPECTOR_ERROR_CODES)[number];

export class InspectorError extends Error {
  override readonly name = 'InspectorError';

  constructor(
    readonly code: InspectorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static layoutFailed(cause: unknown): InspectorError {
    const what = cause instanceof Error ? cause.message : String(cause);
    return new InspectorError('layout-failed', `the statechart could not be laid out (${what})`, { cause });
  }

  static notAMachine(value: unknown): InspectorError {
    return new InspectorError('not-a-machine', `expected an XState machine, got ${describe(value)}`);
  }
}

/** Names a value without calling or printing it (it may be hostile or huge). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a root state' : `a ${typeof value}`;
}
