// A process of the hostile-load measurement. The bench starts two: one runs the flood, the other the
// honest probe, so that the attacker's event loop never delays the honest clock.
import { serveCommands } from '../harness/child.js';
import { closeHonest, openHonest, type ProbeTarget, runProbe } from './honest-probe.js';
import { Flood, type FloodOptions, type FloodReport } from './hostile-flood.js';

let flood: Flood | null = null;

function stopFlood(): FloodReport | null {
  const report = flood?.stop() ?? null;
  flood = null;
  return report;
}

serveCommands(
  {
    startFlood: (args) => {
      stopFlood();
      flood = new Flood(args as FloodOptions);
      return flood.start();
    },
    stopFlood,
    openHonest: (args) => {
      const { target, pairs } = args as { target: ProbeTarget; pairs: number };
      return openHonest(target, pairs);
    },
    probe: (args) => {
      const { target, durationMs, stepsPerSecond } = args as {
        target: ProbeTarget;
        durationMs: number;
        stepsPerSecond: number;
      };
      return runProbe(target, { durationMs, stepsPerSecond });
    },
    closeHonest: () => {
      closeHonest();
      return {};
    },
  },
  async () => {
    stopFlood();
    closeHonest();
  },
);
