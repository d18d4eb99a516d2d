// Model-based test of the call statechart against its specification (test/spec/, which never imports the
// machine): paths generated from the table alone drive the real machine, and after every step the machine
// must stand where the table says, have sent what it says, keep the timers it says and end as it says.
// Coverage is counted both ways: every machine transition taken by some row, every row honoured somewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROWS, type Row, rowName } from './spec/call-spec.js';
import { callMachine } from './spec/machine-under-test.js';
import { CallRig, TIMEOUTS, timerName } from './spec/spec-driver.js';
import { expectedValue, messageOf } from './spec/spec-messages.js';
import {
  generatePaths,
  type PathStep,
  pathName,
  SpecLimitError,
  type SpecPath,
  scenarioPath,
} from './spec/spec-paths.js';
import {
  ME,
  MY_DEVICE,
  PEER,
  PEER_DEVICE,
  placeKey,
  REMOTE_CANDIDATE_BUFFER,
  STRANGER,
  STRANGER_DEVICE,
  timersRunning,
  warningsOf,
} from './spec/spec-world.js';
import { allTransitionKeys } from './support/machine-transitions.js';

const allTransitions = allTransitionKeys(callMachine);
const taken = new Set<string>();
const honoured = new Set<Row>();

/** After one step: the real call is where the row put it, said what the row says, and nothing else. */
function check(rig: CallRig, step: PathStep, sentBefore: number, emittedBefore: number, at: string): void {
  const snapshot = rig.actor.getSnapshot();
  const w = step.after;
  expect(snapshot.value, `${at}: state`).toEqual(expectedValue(w));
  expect(rig.invalid, `${at}: every message sent is a valid envelope`).toEqual([]);
  const sent = rig.sent.slice(sentBefore);
  expect(
    sent.map((e) => messageOf(e, w.callId)),
    `${at}: messages sent`,
  ).toEqual(step.sends);
  expect(rig.emitted.slice(emittedBefore), `${at}: emitted to the app`).toEqual(step.emits);
  for (const e of sent) {
    expect(e, `${at}: every message is from us`).toMatchObject({ from: ME, fromDevice: MY_DEVICE });
    if (e.type === 'cancel' || e.type === 'answer-selected' || e.type === 'invite') {
      // Addressed to every device of the callee.
      expect(e.toDevice, `${at}: ${e.type} goes to every device`).toBeUndefined();
    } else if (e.to === STRANGER) {
      expect(e.toDevice).toBe(STRANGER_DEVICE);
    } else if (e.to === PEER && e.toDevice !== undefined) {
      expect(e.toDevice).toBe(PEER_DEVICE);
    }
    if (e.type === 'invite') {
      expect(e).toMatchObject({ lifetimeMs: TIMEOUTS.inviteMs, media: { audio: true, video: true } });
    }
    if (e.type === 'answer-selected') expect(e.selectedDevice).toBe(PEER_DEVICE);
  }
  expect(
    rig.clock
      .pending()
      .map((timer) => timerName(timer.delayMs))
      .sort(),
    `${at}: timers pending`,
  ).toEqual([...timersRunning(w)].sort());
  expect(
    [...new Set(rig.warnings.map((warning) => warning.code))].sort(),
    `${at}: warnings (a refused candidate would be one)`,
  ).toEqual(warningsOf(w).sort());
  checkRemoteCandidates(rig, step, at);
  if (w.at === 'idle') {
    expect(snapshot.status).toBe('active');
    expect(rig.pcs.created, `${at}: no peer connection before a call`).toHaveLength(0);
    return;
  }
  if (w.at !== 'ended') {
    expect(snapshot.status).toBe('active');
    if (w.at === 'active.awaitingSignaling') return;
    expect(rig.pc.closed, `${at}: the peer connection lives while the call does`).toBe(false);
    expect(rig.pc.listenerCount, `${at}: the watcher listens while the call lasts`).toBeGreaterThan(0);
    return;
  }
  expect(snapshot.status, `${at}: the call is over`).toBe('done');
  const output = snapshot.output as { code: string; by: string } | undefined;
  expect(output && { code: output.code, by: output.by }, `${at}: end reason`).toEqual(w.end);
  expect(rig.portFailures.length > 0, `${at}: a port that threw is reported`).toBe(
    w.end?.code === 'platform-error',
  );
  for (const pc of rig.pcs.created) {
    expect(pc.closed, `${at}: peer connection closed`).toBe(true);
    expect(pc.listenerCount, `${at}: watcher listeners removed`).toBe(0);
    for (const channel of pc.dataChannels) {
      expect(channel.readyState, `${at}: message channel closed`).toBe('closed');
      expect(channel.listenerCount, `${at}: message channel listeners removed`).toBe(0);
    }
  }
  const tracks = rig.media.streams.flatMap((stream) => stream.tracks);
  expect(
    tracks.filter((track) => !track.stopped),
    `${at}: every local track stopped (camera, screen and replaced ones too)`,
  ).toEqual([]);
  expect(
    tracks.filter((track) => track.endedListenerCount > 0),
    `${at}: no track watched after the end`,
  ).toEqual([]);
  for (const src of rig.operationNames) expect(rig.isRunning(src), `${at}: ${src} stopped`).toBe(false);
}

/** What the connection must have been given: remote candidates once their description is set, never more than the buffer holds. */
const tallies = new WeakMap<CallRig, { buffered: number; applied: number }>();
function checkRemoteCandidates(rig: CallRig, step: PathStep, at: string): void {
  const tally = tallies.get(rig) ?? { buffered: 0, applied: 0 };
  tallies.set(rig, tally);
  // Glare: the dropped call's buffered candidates go with it.
  if (step.after.callId !== step.before.callId) tally.buffered = 0;
  const delivered = rig.remoteCandidatesDelivered;
  if (step.after.remoteHeld) tally.buffered = Math.min(REMOTE_CANDIDATE_BUFFER, tally.buffered + delivered);
  else tally.applied += delivered;
  if (step.before.remoteHeld && !step.after.remoteHeld && step.after.callId === step.before.callId) {
    tally.applied += tally.buffered;
    tally.buffered = 0;
  }
  const given = rig.pcs.created.reduce((sum, pc) => sum + pc.remoteCandidates.length, 0);
  expect(given, `${at}: remote candidates given to the connection`).toBe(tally.applied);
}

async function drive(path: SpecPath): Promise<void> {
  const rig = new CallRig((key) => taken.add(key));
  try {
    for (const [i, step] of path.steps.entries()) {
      const at = `step ${i + 1}, ${step.event} in ${placeKey(step.before)}`;
      const sentBefore = rig.sent.length;
      const emittedBefore = rig.emitted.length;
      await rig.perform(step.event, step.before);
      check(rig, step, sentBefore, emittedBefore, at);
      for (const row of step.rows) honoured.add(row);
    }
  } finally {
    rig.actor.stop();
  }
}

const paths = generatePaths();

describe('call machine against its specification', () => {
  for (const path of paths) {
    it(pathName(path), () => drive(path));
  }

  it('a candidate gathered after the invite went out, while the first batch window is still open, opens no second timer', () =>
    drive(
      scenarioPath([
        'user.call',
        'op.ok',
        'pc.candidate',
        'op.ok',
        'pc.candidate',
        'timer.candidateBatch',
        'user.hangup',
      ]),
    ));

  // The cover reaches every row by its shortest road, which cannot show a count the machine forgets to
  // reset: these roads come back to a place the long way.
  it('a link that comes back renews the ICE restart budget', () =>
    drive(
      scenarioPath([
        'user.call',
        'op.ok',
        'op.ok',
        'remote.answer',
        'pc.ice(connected)',
        'pc.ice(failed)',
        'pc.ice(connected)',
        'pc.ice(failed)',
        'timer.iceRestart',
        'timer.iceRestart',
      ]),
    ));

  // The offer a hold owes, when negotiation is busy: an ICE restart taken at the next settle pays it, and an
  // offer of ours rolled back by the peer's (we are polite) is made again.
  it('a hold owed while an offer is out is paid by the ICE restart offered at the next settle', () =>
    drive(
      scenarioPath([
        'user.call',
        'op.ok',
        'op.ok',
        'remote.answer',
        'pc.ice(connected)',
        'pc.negotiationNeeded',
        'user.hold',
        'pc.ice(failed)',
        'op.ok',
        'remote.negotiate(answer)',
        'op.ok',
        'user.hangup',
      ]),
    ));

  it('a hold offer rolled back by the peer crossing offer (we are polite) is made again', () =>
    drive(
      scenarioPath([
        'remote.invite(peer)',
        'user.answer',
        'op.ok',
        'op.ok',
        'pc.ice(connected)',
        'user.hold',
        'op.ok',
        'remote.negotiate(offer)',
        'op.ok',
        'user.hangup',
      ]),
    ));

  // The peer answers our offer and at once offers its own (both sides restarting ICE after a broker restart):
  // its offer, arriving while our side applies the answer, is answered once that is done, not dropped.
  it("a peer's offer right behind its answer to ours is answered after the answer is applied", () =>
    drive(
      scenarioPath([
        'user.call',
        'op.ok',
        'op.ok',
        'remote.answer',
        'pc.ice(connected)',
        'pc.negotiationNeeded',
        'op.ok',
        'remote.negotiate(answer)',
        'remote.negotiate(offer)',
        'op.ok',
        'op.ok',
        'user.hangup',
      ]),
    ));

  // The link comes back with ICE up (both links came back after a broker restart, or one device changed
  // network): the caller restarts at once; the callee waits a moment for that restart rather than cross it
  // with its own, and restarts itself only when none comes.
  it("the callee whose link comes back answers the caller's ICE restart and makes none of its own", () =>
    drive(
      scenarioPath([
        'remote.invite(peer)',
        'user.answer',
        'op.ok',
        'op.ok',
        'pc.ice(connected)',
        'link.changed(up)',
        'remote.negotiate(offer)',
        'op.ok',
        'user.hangup',
      ]),
    ));

  it('the callee whose link comes back restarts ICE itself when the caller makes no restart in time', () =>
    drive(
      scenarioPath([
        'remote.invite(peer)',
        'user.answer',
        'op.ok',
        'op.ok',
        'pc.ice(connected)',
        'link.changed(up)',
        'timer.peerIceRestart',
        'op.ok',
        'remote.negotiate(answer)',
        'op.ok',
        'user.hangup',
      ]),
    ));

  it('the caller whose link comes back restarts ICE at once; with ICE up, the restart ends with its answer', () =>
    drive(
      scenarioPath([
        'user.call',
        'op.ok',
        'op.ok',
        'remote.answer',
        'pc.ice(connected)',
        'link.changed(up)',
        'op.ok',
        'remote.negotiate(answer)',
        'op.ok',
        'user.hangup',
      ]),
    ));

  it('path generation is bounded: a table that reaches too far fails at once instead of hanging', () => {
    const started = Date.now();
    const tight = { maxDepth: 50, maxWorlds: 20_000, maxPaths: 1_000, budgetMs: 20_000 };
    expect(() => generatePaths({ ...tight, maxWorlds: 30 })).toThrow(/more than 30 worlds/);
    expect(() => generatePaths({ ...tight, maxPaths: 3 })).toThrow(/more than 3 paths/);
    expect(() => generatePaths({ ...tight, maxDepth: 2 })).toThrow(/new rows at depth 2/);
    expect(() => generatePaths({ ...tight, budgetMs: 0 })).toThrow(SpecLimitError);
    expect(Date.now() - started, 'fails within 3 s').toBeLessThan(3_000);
  });

  it('the specification never imports the machine: its files import from src/ only the end-reason types', () => {
    const dir = new URL('./spec/', import.meta.url);
    const table = readdirSync(dir).filter((file) =>
      /^(spec-world|spec-places|rows-.*|call-spec|spec-step|spec-paths)\.ts$/.test(file),
    );
    expect(table.length).toBeGreaterThanOrEqual(7);
    for (const file of table) {
      const imports = [...readFileSync(new URL(file, dir), 'utf8').matchAll(/from '([^']+)'/g)].map(
        (m) => m[1],
      );
      expect(
        imports.filter((from) => !from?.startsWith('./') && from !== '../../src/end-reason.js'),
        `${file} imports`,
      ).toEqual([]);
      expect(imports, `${file} imports`).not.toContain('./machine-under-test.js');
      expect(
        imports.filter((from) => /driver|messages/.test(from ?? '')),
        `${file} imports`,
      ).toEqual([]);
    }
  });

  it('every transition of the machine is taken by some row of the specification', () => {
    const missing = allTransitions.filter((key) => !taken.has(key));
    console.log(
      `transitions covered: ${allTransitions.length - missing.length}/${allTransitions.length} (${paths.length} spec paths)`,
    );
    expect(missing, 'machine transitions no spec row exercises').toEqual([]);
  });

  it('every row of the specification is honoured by the machine', () => {
    const missing = ROWS.filter((row) => !honoured.has(row));
    console.log(`spec rows covered: ${ROWS.length - missing.length}/${ROWS.length}`);
    expect(missing.map(rowName), 'spec rows the machine did not honour (or no path reached)').toEqual([]);
  });
});
