// The element's one error type: a closed set of codes, each with the cause it came from.

export type InspectorErrorCode =
  /** elkjs could not be loaded or rejected the graph; the diagram stays empty, the log still runs. */
  | 'layout-failed'
  /** `element.machine` was given something that is not an XState machine. */
  | 'not-a-machine';

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
