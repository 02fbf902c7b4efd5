#!/usr/bin/env node
// `npm run bench:peers`: faltung head to head with the JavaScript alternatives on the same
// workloads (MNIST convnet training and inference, four conv shapes, VGG16 forward), each trial
// one fresh child process (bench/peers/<library>.js), libraries alternating trial by trial so a
// shared machine's drift hits them alike. Prints one table; writes bench/results/peers.json and
// peers.png. Options: --quick (a smoke run: small batches, no VGG16, results to the temp folder),
// --budget-s S, --repeats R, --only a,b, --tasks t,u, --shapes 0,2, --once-over-s S,
// --max-trial-s S, --wait-idle S, --out-dir DIR.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { waitForIdle } = require('./lib/timing');
const { RESULT_PREFIX } = require('./peers/child');
const { summarize, buildTable, renderText, renderMarkdown } = require('./peers/table');
const { writeChart } = require('./peers/chart');

const LIBRARIES = [
  { name: 'faltung', label: 'faltung', script: 'faltung.js', about: 'this checkout, 2 threads (AVX-512/AVX2 kernels, work off the event loop)' },
  { name: 'plain-js', label: 'plain JS', script: 'plain-js.js', about: 'bench/baseline/js-network.js: straightforward Float32Array loops, 1 thread' },
  { name: 'tfjs-cpu', label: 'TF.js CPU', script: 'tfjs-cpu.js', about: '@tensorflow/tfjs + tfjs-backend-cpu (pure JS kernels), 1 thread' },
  { name: 'tfjs-wasm', label: 'TF.js WASM', script: 'tfjs-wasm.js',
    about: '@tensorflow/tfjs-backend-wasm (XNNPACK, SIMD), 2 threads: Node threads enabled by the runner (stock: 1); ' +
      'Conv2DBackpropFilter, which it lacks (stock it cannot train a convnet), supplied by the runner (im2col in JS + its own matmul)' },
  { name: 'convnetjs', label: 'ConvNetJS', script: 'convnetjs.js',
    about: 'convnetjs 0.3.0, 1 thread, Float64, one image at a time; its npm release has no Adam, so the runner applies Adam to its gradients; ' +
      'dropout scales at inference instead of training (same cost)' },
  { name: 'tfjs-node', label: 'TF.js Node', notMeasured: true,
    about: 'not measured: @tensorflow/tfjs-node downloads a prebuilt libtensorflow binary when installed, impossible on an offline machine' },
];
const TASKS = ['train', 'infer', 'conv', 'vgg16'];

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new TypeError(`--${name}: expected a value, received nothing`);
  return value;
}

function numberOption(name, fallback, min) {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value) || value < min) throw new RangeError(`--${name}: expected a number >= ${min}, received ${option(name)}`);
  return value;
}

function listOption(name, fallback, allowed) {
  const values = option(name, fallback.join(',')).split(',').map((v) => v.trim()).filter(Boolean);
  for (const value of values) {
    if (!allowed.includes(value)) throw new RangeError(`--${name}: expected some of ${allowed.join(', ')}, received ${value}`);
  }
  return values;
}

const quick = process.argv.includes('--quick');
const options = {
  quick,
  budgetSeconds: numberOption('budget-s', quick ? 0.5 : 6, 0.05),
  repeats: numberOption('repeats', quick ? 1 : 3, 1),
  libraries: listOption('only', LIBRARIES.map((l) => l.name), LIBRARIES.map((l) => l.name)),
  tasks: listOption('tasks', quick ? ['train', 'infer', 'conv'] : TASKS, TASKS),
  shapes: listOption('shapes', quick ? ['0', '1'] : ['0', '1', '2', '3'], ['0', '1', '2', '3']),
  onceOverSeconds: numberOption('once-over-s', 45, 0),
  maxTrialSeconds: numberOption('max-trial-s', quick ? 60 : 180, 1),
  waitIdleSeconds: numberOption('wait-idle', quick ? 0 : 2, 0),
  outDir: path.resolve(option('out-dir', quick ? path.join(os.tmpdir(), 'faltung-peers-quick') : path.join(__dirname, 'results'))),
};

/** Runs one trial; resolves to the child's result, or a record of why there is none. */
function runTrial(library, task) {
  const args = [path.join(__dirname, 'peers', library.script), '--task', task, '--budget-s', String(options.budgetSeconds),
    '--shapes', options.shapes.join(','), ...(options.quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    let stopped = false;
    const timer = setTimeout(() => { stopped = true; child.kill('SIGKILL'); }, options.maxTrialSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const line = output.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) return resolve({ ...JSON.parse(line.slice(RESULT_PREFIX.length)), trialSeconds: seconds });
      if (stopped) return resolve({ library: library.name, task, stoppedAfterSeconds: options.maxTrialSeconds, trialSeconds: seconds });
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      resolve({ library: library.name, task, error: `exit ${code ?? signal}: ${tail}`, trialSeconds: seconds });
    });
  });
}

function describe(result) {
  if (result.stoppedAfterSeconds !== undefined) return `stopped at ${result.stoppedAfterSeconds} s`;
  if (result.error) return `error: ${result.error}`;
  const figures = Object.entries(result.figures).map(([key, f]) => `${key} ${f.value.toPrecision(4)} ${f.unit}`).join(', ');
  return `${figures}; RSS ${result.peakRssMb.toFixed(0)} MB, stall ${result.stallMs.toFixed(0)} ms`;
}

function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0].model.trim(), cores: cpus.length, memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1), os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version };
}

async function main() {
  const libraries = LIBRARIES.filter((l) => options.libraries.includes(l.name));
  const measured = libraries.filter((l) => !l.notMeasured);
  const started = new Date();
  const loadBefore = os.loadavg();
  const trials = [];
  const once = new Set(); // library/task pairs whose first trial ran past --once-over-s
  for (let repeat = 0; repeat < options.repeats; ++repeat) {
    for (const task of options.tasks) {
      for (const library of measured) {
        if (once.has(`${library.name}/${task}`)) continue;
        const waited = options.waitIdleSeconds > 0 ? waitForIdle({ threshold: 0.85, maxSeconds: options.waitIdleSeconds }) : 0;
        const load = os.loadavg()[0];
        const result = await runTrial(library, task);
        Object.assign(result, { repeat, waitedSeconds: waited, loadBefore: load });
        trials.push(result);
        if (result.trialSeconds > options.onceOverSeconds) once.add(`${library.name}/${task}`);
        console.error(`[${repeat + 1}/${options.repeats}] ${task.padEnd(5)} ${library.name.padEnd(9)} ${result.trialSeconds.toFixed(1).padStart(6)} s  ${describe(result)}`);
      }
    }
  }
  const finished = new Date();
  const summary = summarize(trials);
  const table = buildTable(summary, libraries);
  const info = machine();
  const minutes = ((finished - started) / 60000).toFixed(1);
  const heading = [
    ...(options.quick ? ['QUICK SMOKE RUN (training batch 16, inference batch 100, tiny budgets): checks the plumbing; the figures are not the benchmark.'] : []),
    `faltung vs JavaScript peers, ${started.toISOString().slice(0, 10)}: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, ${info.os}, Node ${info.node}`,
    `Medians of ${options.repeats} trial(s) per cell (a trial over ${options.onceOverSeconds} s is not repeated), each trial a fresh process with a ${options.budgetSeconds} s budget; ` +
      `libraries alternated trial by trial; ${minutes} min in all; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at the start.`,
  ];
  const lines = [...heading, '', ...renderText(table), '', ...table.notes,
    ...libraries.map((l) => `${l.label}: ${l.about}`), 'Reproduce: npm run bench:peers'];
  for (const line of lines) console.log(line);

  fs.mkdirSync(options.outDir, { recursive: true });
  const versions = Object.fromEntries(trials.filter((t) => t.version).map((t) => [t.library, { version: t.version, info: t.info }]));
  const json = { date: started.toISOString(), finished: finished.toISOString(), machine: info, loadAverageAtStart: loadBefore,
    options: { ...options, outDir: undefined },
    libraries: libraries.map(({ name, label, about, notMeasured }) => ({ name, label, about, notMeasured: Boolean(notMeasured), ...versions[name] })),
    summary, table, markdown: renderMarkdown(buildTable(summary, libraries.filter((l) => !l.notMeasured))), trials };
  fs.writeFileSync(path.join(options.outDir, 'peers.json'), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(options.outDir, `peers-${started.toISOString().slice(0, 10)}.txt`), `${lines.join('\n')}\n`);
  await writeChart(path.join(options.outDir, 'peers.png'), summary, libraries.filter((l) => !l.notMeasured), {
    title: 'faltung vs JavaScript alternatives in Node.js',
    subtitle: `${info.cores}-core ${info.cpu}, Node ${info.node}, ${started.toISOString().slice(0, 10)}: medians; npm run bench:peers`,
  });
  console.error(`wrote ${path.join(options.outDir, 'peers.json')}, peers.png and peers-${started.toISOString().slice(0, 10)}.txt`);
}

main().catch((error) => { console.error(error); process.exit(1); });
