// The pure-JavaScript baseline for bench/conv.bench.js: a straightforward direct 2D convolution
// (channels-last, Keras filter layout, stride 1, 'valid' or 'same' padding) forward and backward,
// written the way one would without a native library. Deliberately unoptimized beyond loop order.
'use strict';

function samePad(size, kernel) {
  const total = Math.max(kernel - 1, 0); // stride 1: out = in, pad_total = kernel - 1
  return { before: Math.floor(total / 2), out: size };
}

function geometry(shape) {
  const { H, W, K, pad } = shape;
  if (pad === 'same') {
    const h = samePad(H, K);
    const w = samePad(W, K);
    return { OH: h.out, OW: w.out, padTop: h.before, padLeft: w.before };
  }
  return { OH: H - K + 1, OW: W - K + 1, padTop: 0, padLeft: 0 };
}

/** y (N,OH,OW,OC) = conv(x (N,H,W,C), filter (K,K,C,OC)) + bias, for images [first, last). */
function convForward(x, filter, bias, shape, first, last) {
  const { H, W, C, OC, K } = shape;
  const { OH, OW, padTop, padLeft } = geometry(shape);
  const y = new Float32Array((last - first) * OH * OW * OC);
  for (let n = first; n < last; ++n) {
    for (let oh = 0; oh < OH; ++oh) {
      for (let ow = 0; ow < OW; ++ow) {
        const out = (((n - first) * OH + oh) * OW + ow) * OC;
        for (let oc = 0; oc < OC; ++oc) y[out + oc] = bias[oc];
        for (let kh = 0; kh < K; ++kh) {
          const ih = oh - padTop + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < K; ++kw) {
            const iw = ow - padLeft + kw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * C;
            const fBase = (kh * K + kw) * C * OC;
            for (let c = 0; c < C; ++c) {
              const value = x[xBase + c];
              const fRow = fBase + c * OC;
              for (let oc = 0; oc < OC; ++oc) y[out + oc] += value * filter[fRow + oc];
            }
          }
        }
      }
    }
  }
  return y;
}

/** dx, dfilter, dbias of the forward above from dy (images [first, last) of the batch). */
function convBackward(x, filter, dy, shape, first, last) {
  const { H, W, C, OC, K } = shape;
  const { OH, OW, padTop, padLeft } = geometry(shape);
  const dx = new Float32Array((last - first) * H * W * C);
  const dfilter = new Float32Array(K * K * C * OC);
  const dbias = new Float32Array(OC);
  for (let n = first; n < last; ++n) {
    for (let oh = 0; oh < OH; ++oh) {
      for (let ow = 0; ow < OW; ++ow) {
        const g = (((n - first) * OH + oh) * OW + ow) * OC;
        for (let oc = 0; oc < OC; ++oc) dbias[oc] += dy[g + oc];
        for (let kh = 0; kh < K; ++kh) {
          const ih = oh - padTop + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < K; ++kw) {
            const iw = ow - padLeft + kw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * C;
            const dxBase = (((n - first) * H + ih) * W + iw) * C;
            const fBase = (kh * K + kw) * C * OC;
            for (let c = 0; c < C; ++c) {
              const value = x[xBase + c];
              const fRow = fBase + c * OC;
              let sum = 0;
              for (let oc = 0; oc < OC; ++oc) {
                sum += dy[g + oc] * filter[fRow + oc];
                dfilter[fRow + oc] += value * dy[g + oc];
              }
              dx[dxBase + c] += sum;
            }
          }
        }
      }
    }
  }
  return { dx, dfilter, dbias };
}

module.exports = { convForward, convBackward, geometry };
