// Promise actors whose outcome the test decides: each invocation waits until the test resolves or rejects
// it, so a model can pick the `onDone` or the `onError` branch of every invoke.
import { fromPromise, type PromiseActorLogic } from 'xstate';

interface Pending {
  readonly input: unknown;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

export class PromiseActorControl {
  private readonly pending = new Map<string, Pending>();

  /** A stand-in for the actor named `src`; it runs until the test settles it or the machine stops it. */
  actor<TOutput, TInput>(src: string): PromiseActorLogic<TOutput, TInput> {
    return fromPromise<TOutput, TInput>(
      ({ input, signal }) =>
        new Promise<TOutput>((resolve, reject) => {
          const entry: Pending = { input, resolve: resolve as (output: unknown) => void, reject };
          this.pending.set(src, entry);
          signal.addEventListener('abort', () => {
            if (this.pending.get(src) === entry) this.pending.delete(src);
          });
        }),
    );
  }

  isRunning(src: string): boolean {
    return this.pending.has(src);
  }

  /** Completes the running `src` actor with what `output` makes of its input. */
  async resolve(src: string, output: (input: unknown) => unknown): Promise<void> {
    const entry = this.take(src);
    entry.resolve(await output(entry.input));
  }

  reject(src: string, error: unknown): void {
    this.take(src).reject(error);
  }

  private take(src: string): Pending {
    const entry = this.pending.get(src);
    if (!entry) throw new Error(`the machine is not running ${src}`);
    this.pending.delete(src);
    return entry;
  }
}
