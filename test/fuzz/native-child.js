// Child process of test/fuzz/native-entry.test.ts: calls every function the addon exports
// (native-calls.js) and the Network class (native-network.js) with seeded valid, edge-sized,
// mutated and random arguments, and prints one JSON report. A native crash kills only this
// process; the parent sees the signal. No timing checks: a hang is the parent's timeout.
// Usage: node --expose-gc test/fuzz/native-child.js [--seed N] [--multiplier M] [--only name]
'use strict';
const { native, pinBuffer } = require('../../dist/native.js');
const { FaltungError } = require('../../dist/errors.js');
const M = require('./mutators.js');
const { GENERATORS, invoke, describeCall, allFinite } = require('./native-calls.js');
const { fuzzNetwork, fuzzHostile } = require('./native-network.js');

/** Inputs per exported function at multiplier 1. */
const CALLS_PER_FUNCTION = 260;
/** Network specs (each followed by a few method calls) at multiplier 1. */
const NETWORK_SPECS = 220;
/** Async calls whose buffers are detached or shrunk while the job runs, per hostile target. */
const HOSTILE_PER_TARGET = 12;

function parseArgs(argv) {
  const options = { seed: M.baseSeed(), multiplier: M.budgetMultiplier(), only: null };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--seed') options.seed = Number(argv[i + 1]);
    else if (argv[i] === '--multiplier') options.multiplier = Number(argv[i + 1]);
    else if (argv[i] === '--only') options.only = argv[i + 1];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

/** The output pool's caps as the addon starts with them. */
const POOL_LIMITS = native.outputPoolStats();

/** Puts the global state the backend functions change back as lib/native.ts left it. */
function restoreBackend(threads) {
  native.setErrorClass(FaltungError);
  native.setBufferPinner(pinBuffer);
  native.setIsa(native.backendInfo().bestIsa);
  native.setNumThreads(threads);
  native.setOutputPoolPoison(false);
  native.setOutputPoolLimits(POOL_LIMITS.maxFreeBytes, POOL_LIMITS.maxOutstandingBytes, POOL_LIMITS.maxGrowthBytes);
}

async function fuzzFunction(name, generate, rng, count, tally, threads) {
  const fn = native[name];
  for (let i = 0; i < count; ++i) {
    const mode = rng.next();
    let made;
    let note = '';
    let clean = false;  // a valid call whose outputs must come back finite
    if (mode < 0.35) {
      made = generate(rng, false);
      clean = !made.neverValid;
    } else if (mode < 0.6) {
      made = generate(rng, true);
    } else if (mode < 0.9) {
      made = generate(rng, false);
      note = M.mutateArguments(rng, made.args);
    } else if (mode < 0.93) {
      made = generate(rng, false);
      made.args = M.mutateArity(rng, made.args);
      note = 'arity';
    } else if (mode < 0.97) {
      // Every array empty (a non-null view at the end of a buffer) and dimensions 0 or huge: a call
      // some kernel could loop over for hours without any data behind it (a hang, caught by the parent).
      made = generate(rng, false);
      made.args = made.args.map((value) => {
        if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return new value.constructor(8).subarray(8);
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 40) return rng.pick([0, 0, 2 ** 40, 2 ** 31 - 1, value]);
        return value;
      });
      note = 'empty arrays, huge dimensions';
    } else {
      made = { args: Array.from({ length: rng.int(0, 15) }, () => M.wrongValue(rng)), outputs: [] };
      note = 'random';
    }
    const { args } = made;
    const input = () => describeCall(name, args, note);
    const outcome = await invoke(fn, native, args);
    if ('error' in outcome) {
      tally.rejected(name, outcome.error, input());
      if (clean) tally.violation(name, `a valid call was refused: ${outcome.error?.message}`, input());
    } else {
      tally.accepted(name);
      if (clean) {
        const asyncWanted = args.length > 0 && args[args.length - 1] === true && name !== 'setErrorClass' && !made.sync;
        tally.check(name, outcome.async === asyncWanted || name === 'backendInfo' || name === 'getNumThreads',
          `returned ${outcome.async ? 'a Promise' : 'no Promise'} for async=${asyncWanted}`, input());
        for (const index of made.outputs) {
          const out = args[index];
          if (out === null) continue;
          tally.check(name, allFinite(out), `output argument ${index} holds a non-finite value after a valid call`, input());
        }
        if (made.check) tally.check(name, made.check(outcome.value), 'returned an unexpected value', input());
      }
    }
    if (name.startsWith('set')) restoreBackend(threads);
  }
}

/**
 * Deterministic sweep: every array empty (a non-null view at the end of a buffer), every integer
 * argument 2^40 except one or two of them 0, so that some calls are accepted with dimensions no
 * data backs. A kernel looping over such a dimension would hang (the parent's timeout).
 */
async function sweepEmpty(name, generate, rng, tally) {
  const template = generate(rng, false).args;
  const integers = template.map((value, index) => (typeof value === 'number' && Number.isInteger(value) ? index : -1)).filter((index) => index >= 0);
  const zeroSets = [[]];
  integers.forEach((a, i) => {
    zeroSets.push([a]);
    integers.slice(i + 1).forEach((b) => zeroSets.push([a, b]));
  });
  for (const zeros of zeroSets) {
    const args = template.map((value, index) => {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return new value.constructor(8).subarray(8);
      if (integers.includes(index)) return zeros.includes(index) ? 0 : 2 ** 40;
      return value;
    });
    const outcome = await invoke(native[name], native, args);
    if ('error' in outcome) tally.rejected(`${name}.empty`, outcome.error, describeCall(name, args, 'empty sweep'));
    else tally.accepted(`${name}.empty`);
  }
}

// ---- the Network class -------------------------------------------------------------------------------
// ---- main ----------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tally = new M.Tally('native', options.seed, options.multiplier);
  const threads = native.getNumThreads();
  const exported = Object.keys(native);
  const missing = exported.filter((name) => name !== 'Network' && !(name in GENERATORS));
  if (missing.length > 0) tally.violation('coverage', `exported functions without a fuzz generator: ${missing.join(', ')}`, exported.join(', '));
  tally.report.exported = exported;
  const scaled = (count) => Math.max(1, Math.round(count * options.multiplier));
  for (const name of exported) {
    if (options.only !== null && options.only !== name) continue;
    process.stderr.write(`fuzzing ${name}\n`);
    const rng = new M.FuzzRandom(M.seedFor(options.seed, name));
    if (name === 'Network') await fuzzNetwork(rng, scaled(NETWORK_SPECS), tally);
    else if (name in GENERATORS) {
      await fuzzFunction(name, GENERATORS[name], rng, scaled(CALLS_PER_FUNCTION), tally, threads);
      if (!name.startsWith('set')) await sweepEmpty(name, GENERATORS[name], rng, tally);
    }
  }
  if (options.only === null || options.only === 'hostile') {
    process.stderr.write('fuzzing hostile async buffers\n');
    await fuzzHostile(new M.FuzzRandom(M.seedFor(options.seed, 'hostile')), scaled(HOSTILE_PER_TARGET), tally);
  }
  restoreBackend(threads);
  process.stdout.write(`${JSON.stringify(tally.report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`fuzz driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 70;
});
