// The prebuild folder name for this platform: <platform>-<arch>, plus -musl on musl Linux
// (prebuildify's layout: prebuilds/linux-x64/, prebuilds/linux-x64-musl/, prebuilds/darwin-arm64/).
// Shared by the installer, the prebuild script and the addon loader (lib/native.ts).
'use strict';

function isMusl() {
  if (process.platform !== 'linux') return false;
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return !(report && report.header && report.header.glibcVersionRuntime);
}

function platformTag() {
  return `${process.platform}-${process.arch}${isMusl() ? '-musl' : ''}`;
}

module.exports = { platformTag };
