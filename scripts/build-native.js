#!/usr/bin/env node
// Builds the addon with node-gyp from binding.gyp. Points node-gyp at the running Node's own
// headers when they are installed (include/node beside the node binary), so the build works
// offline instead of downloading a header tarball. Extra arguments go to node-gyp.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function localNodeDir() {
  const prefix = path.join(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? path.resolve(prefix) : null;
}

function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    // Installed as a dependency without devDependencies: npm's own copy of node-gyp.
    const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
    return path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  }
}

const args = ['rebuild', '-j', 'max', ...process.argv.slice(2)];
const nodeDir = process.env.npm_config_nodedir || localNodeDir();
if (nodeDir && !args.some((a) => a.startsWith('--nodedir'))) args.push(`--nodedir=${nodeDir}`);
execFileSync(process.execPath, [nodeGypScript(), ...args], { stdio: 'inherit', cwd: root });
