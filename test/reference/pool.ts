// Float64 references for the pooling ops: every window's real cells listed explicitly and reduced
// with plain loops (max: first maximum wins ties; average: mean over real cells, TensorFlow's rule).
import { RefGeometry } from './conv';

// x offsets (channel 0) of the real cells of every output pixel's window, in scan order.
function windows(g: RefGeometry): number[][] {
  const [OD, OH, OW] = g.outSize;
  const [D, H, W] = g.inSize;
  const result: number[][] = [];
  for (let n = 0; n < g.batch; ++n)
    for (let od = 0; od < OD; ++od)
      for (let oh = 0; oh < OH; ++oh)
        for (let ow = 0; ow < OW; ++ow) {
          const cells: number[] = [];
          for (let kd = 0; kd < g.kernel[0]; ++kd)
            for (let kh = 0; kh < g.kernel[1]; ++kh)
              for (let kw = 0; kw < g.kernel[2]; ++kw) {
                const id = od * g.strides[0] - g.before[0] + kd;
                const ih = oh * g.strides[1] - g.before[1] + kh;
                const iw = ow * g.strides[2] - g.before[2] + kw;
                if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                cells.push((((n * D + id) * H + ih) * W + iw) * g.inChannels);
              }
          result.push(cells);
        }
  return result;
}

export function poolForward64(kind: 'max' | 'avg', g: RefGeometry, x: ArrayLike<number>): Float64Array {
  const C = g.inChannels;
  const cellsPerPixel = windows(g);
  const y = new Float64Array(cellsPerPixel.length * C);
  cellsPerPixel.forEach((cells, pixel) => {
    for (let c = 0; c < C; ++c) {
      let result = kind === 'max' ? -Infinity : 0;
      for (const cell of cells) result = kind === 'max' ? Math.max(result, x[cell + c]) : result + x[cell + c];
      y[pixel * C + c] = kind === 'max' ? result : result / cells.length;
    }
  });
  return y;
}

export function poolBackward64(kind: 'max' | 'avg', g: RefGeometry, dy: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const C = g.inChannels;
  const dx = new Float64Array(x.length);
  windows(g).forEach((cells, pixel) => {
    for (let c = 0; c < C; ++c) {
      const grad = dy[pixel * C + c];
      if (kind === 'max') {
        let winner = cells[0];
        for (const cell of cells) if (x[cell + c] > x[winner + c]) winner = cell;
        dx[winner + c] += grad;
      } else {
        for (const cell of cells) dx[cell + c] += grad / cells.length;
      }
    }
  });
  return dx;
}

/** x (N, S, C) -> (N, C). */
export function globalPool64(kind: 'max' | 'avg', x: ArrayLike<number>, N: number, S: number, C: number): Float64Array {
  const y = new Float64Array(N * C).fill(kind === 'max' ? -Infinity : 0);
  for (let n = 0; n < N; ++n)
    for (let s = 0; s < S; ++s)
      for (let c = 0; c < C; ++c) {
        const value = x[(n * S + s) * C + c];
        y[n * C + c] = kind === 'max' ? Math.max(y[n * C + c], value) : y[n * C + c] + value / S;
      }
  return y;
}

export function globalPoolBackward64(kind: 'max' | 'avg', dy: ArrayLike<number>, x: ArrayLike<number>, N: number, S: number,
  C: number): Float64Array {
  const dx = new Float64Array(N * S * C);
  for (let n = 0; n < N; ++n)
    for (let c = 0; c < C; ++c) {
      if (kind === 'avg') {
        for (let s = 0; s < S; ++s) dx[(n * S + s) * C + c] = dy[n * C + c] / S;
      } else {
        let winner = 0;
        for (let s = 1; s < S; ++s) if (x[(n * S + s) * C + c] > x[(n * S + winner) * C + c]) winner = s;
        dx[(n * S + winner) * C + c] = dy[n * C + c];
      }
    }
  return dx;
}
