#!/usr/bin/env node
// Compiles lib/ to dist/ (CommonJS + declarations) and writes the ESM entry beside it: a thin
// re-export of the CommonJS build, so ESM and CJS consumers share one module instance.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

const dist = path.join(root, 'dist');
fs.writeFileSync(path.join(dist, 'index.mjs'),
  "// ESM entry: re-exports the CommonJS build so both module systems share one instance.\n" +
  "import faltung from './index.js';\nexport default faltung;\nexport * from './index.js';\n");
fs.writeFileSync(path.join(dist, 'index.d.mts'),
  "import * as faltung from './index.js';\nexport default faltung;\nexport * from './index.js';\n");

// The CLI entry is run directly when linked from a checkout (npm marks it executable on install).
fs.chmodSync(path.join(dist, 'cli', 'main.js'), 0o755);
