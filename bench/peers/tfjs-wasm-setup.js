// Brings TensorFlow.js' WebAssembly backend up in Node at its best: SIMD, and threads, which the
// package switches off in Node (its feature test returns false there, tfjs issue 3830); plus the
// one kernel it lacks for training a convnet, Conv2DBackpropFilter, supplied here (im2col in JS,
// the product on the backend's own XNNPACK matmul). Touches nothing outside this child process.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const threads = require('node:worker_threads');

const wasmPackage = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));

/**
 * Lets Emscripten's pthread workers start under worker_threads: the package hands Worker a
 * blob: URL (browsers only) for the worker script and a Blob holding its bundled factory, whose
 * source names bundler-renamed modules. Blobs made here remember their text, object URLs become
 * temporary files, and the worker is pointed at the package's own, unbundled factory file.
 */
function enableNodeThreads() {
  const NodeBlob = globalThis.Blob;
  class TextBlob extends NodeBlob {
    constructor(parts, options) {
      super(parts, options);
      this.text = parts.map(String).join('');
    }
  }
  globalThis.Blob = TextBlob;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'peers-tfjs-wasm-'));
  process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
  const createObjectURL = URL.createObjectURL;
  let count = 0;
  URL.createObjectURL = (blob) => {
    if (!(blob instanceof TextBlob)) return createObjectURL(blob);
    const file = path.join(folder, `blob-${count++}.js`);
    fs.writeFileSync(file, blob.text);
    return file;
  };
  const factory = path.join(wasmPackage, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const NodeWorker = threads.Worker;
  threads.Worker = class extends NodeWorker {
    postMessage(message, transfer) {
      if (message && message.cmd === 'load' && message.urlOrBlob instanceof TextBlob) message = { ...message, urlOrBlob: factory };
      return super.postMessage(message, transfer);
    }
  };
}

/**
 * dW (KH,KW,C,OC) = sum over n, oh, ow of patch(x)[n,oh,ow] (KH*KW*C) x dy[n,oh,ow] (OC): the
 * patches are gathered in JS into a [KH*KW*C, rows] tensor in the WASM heap, then one
 * BatchMatMul on the backend does the multiply-adds. NHWC, any stride, padding and
 * dilation that computeConv2DInfo accepts.
 */
function conv2dBackpropFilterKernel(tf) {
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
  const reshape = tf.getKernel('Reshape', 'wasm').kernelFunc;
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    if (format !== 'channelsLast') throw new Error('Conv2DBackpropFilter (peers shim): NHWC only');
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, format);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: OC,
      filterHeight: KH, filterWidth: KW, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const rows = N * OH * OW;
    const depth = KH * KW * C;
    // patches[k][row], k = (kh*KW + kw)*C + c: stored transposed, since the backend's matmul is
    // several times slower with transposeA than on a plain (depth, rows) x (rows, OC) product.
    const patches = backend.makeOutput([1, depth, rows], 'float32');
    const xs = backend.typedArrayFromHeap(x);
    const out = backend.typedArrayFromHeap(patches);
    for (let kh = 0; kh < KH; ++kh) {
      for (let kw = 0; kw < KW; ++kw) {
        const k = (kh * KW + kw) * C;
        let row = 0;
        for (let n = 0; n < N; ++n) {
          for (let oh = 0; oh < OH; ++oh) {
            const ih = oh * strideHeight - top + kh * dilationHeight;
            for (let ow = 0; ow < OW; ++ow, ++row) {
              const iw = ow * strideWidth - left + kw * dilationWidth;
              const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
              const from = ((n * H + ih) * W + iw) * C;
              for (let c = 0; c < C; ++c) out[(k + c) * rows + row] = inside ? xs[from + c] : 0;
            }
          }
        }
      }
    }
    const gradients = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, rows, OC] } });
    const product = batchMatMul({ inputs: { a: patches, b: gradients }, backend, attrs: { transposeA: false, transposeB: false } });
    backend.disposeData(patches.dataId);
    backend.disposeData(gradients.dataId);
    const result = reshape({ inputs: { x: product }, backend, attrs: { shape: filterShape } });
    backend.disposeData(product.dataId);
    return result;
  };
}

/**
 * Selects the 'wasm' backend with `threadCount` threads (1 = no workers) and the filter-gradient
 * kernel. Returns { tf, threads (as the backend reports), simd, suppliedKernels }.
 */
async function setupWasm(threadCount) {
  if (threadCount > 1) enableNodeThreads();
  const tf = require('@tensorflow/tfjs');
  tf.enableProdMode(); // skips TF.js' debug-time checks (and its Node banner): its production setting
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.join(wasmPackage, 'dist') + path.sep);
  const cpus = os.cpus;
  if (threadCount > 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threadCount);
    // The backend caps its pool at os.cpus().length / 2 (it assumes two hyperthreads per core);
    // report enough CPUs while it initializes so the pool gets `threadCount` threads.
    os.cpus = () => { const list = cpus(); while (list.length < 2 * threadCount) list.push(list[0]); return list; };
  }
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
    await tf.ready();
  } finally {
    os.cpus = cpus;
  }
  const suppliedKernels = [];
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel(tf) });
    suppliedKernels.push('Conv2DBackpropFilter');
  }
  return { tf, threads: wasm.getThreadsCount(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), suppliedKernels };
}

module.exports = { setupWasm };
