// fg.visualize.featureMaps: for one input example, the maps every spatial layer outputs (conv,
// pooling, activation, batch norm), one labelled grid per layer, built on model.activations(x).
// Each grid has its own symmetric colour scale; dense outputs are not maps and are left out.
import { checkOptions } from '../data/options';
import type { Sequential } from '../model';
import type { Tensor } from '../tensor';
import { checkBoolean, checkInteger, invalidRange, invalidType } from '../validate';
import { divergingColor, symmetricScale } from './colormap';
import { findLayer } from './filters';
import { type GridSpec, type PlacedGrid, stackGrids } from './layout';
import { checkModel, oneExample } from './model_input';
import { type Picture, checkOutputPath, writePicture } from './picture';
import { drawTile } from './raster';

export interface FeatureMapOptions {
  /** Layer names to show, in model order (default: every layer with [h, w, c] output except Dropout). */
  layers?: string[];
  /** Also show the input example as the first grid (default true). */
  input?: boolean;
  /** Target tile side in pixels (default 56): each map value becomes floor(tileSize / max(h, w)) pixels a side (at least 1). */
  tileSize?: number;
  /** Maps shown per layer, the first channels (default 64). */
  maxMaps?: number;
  /** Tiles per row (default 16). */
  columns?: number;
}

/** One layer's output for one example: [height, width, channels], channels last. */
export interface MapStack {
  readonly name: string;
  readonly className: string;
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
}

export interface MapGrid extends PlacedGrid {
  readonly layerName: string;
  /** Largest |value| of this layer's output for the example: white 0, full red +scale, full blue -scale. */
  readonly colorScale: number;
  /** Pixels per map value. */
  readonly pixelScale: number;
  readonly mapsShown: number;
}

export interface FeatureMapPicture {
  readonly picture: Picture;
  readonly grids: MapGrid[];
}

const HIDDEN_BY_DEFAULT = new Set(['Dropout', 'Flatten', 'Reshape']);

/** Pixels per value for maps of height x width in a tile of about `tileSize` pixels. */
export function mapPixelScale(height: number, width: number, tileSize: number): number {
  return Math.max(1, Math.floor(tileSize / Math.max(height, width)));
}

function checkMapOptions(options: unknown): Required<Omit<FeatureMapOptions, 'layers'>> & { layers: string[] | undefined } {
  const checked = checkOptions<FeatureMapOptions>('options', options, ['layers', 'input', 'tileSize', 'maxMaps', 'columns']);
  if (checked.layers !== undefined && (!Array.isArray(checked.layers) || checked.layers.length === 0)) {
    throw invalidType('options.layers', 'a non-empty array of layer names', checked.layers);
  }
  return {
    layers: checked.layers,
    input: checked.input === undefined ? true : checkBoolean('options.input', checked.input),
    tileSize: checkInteger('options.tileSize', checked.tileSize ?? 56, 1, 1024),
    maxMaps: checkInteger('options.maxMaps', checked.maxMaps ?? 64, 1),
    columns: checkInteger('options.columns', checked.columns ?? 16, 1, 1024),
  };
}

/** The picture of the given map stacks (pure: nothing is computed by a model, nothing is written). */
export function featureMapPicture(stacks: readonly MapStack[], options: Omit<FeatureMapOptions, 'layers' | 'input'> = {}): FeatureMapPicture {
  const { tileSize, maxMaps, columns } = checkMapOptions(options);
  if (!Array.isArray(stacks) || stacks.length === 0) throw invalidType('stacks', 'a non-empty array of map stacks', stacks);
  const specs: GridSpec[] = [];
  const extra: Omit<MapGrid, keyof PlacedGrid>[] = [];
  for (const stack of stacks) {
    const [height, width, channels] = stack.shape;
    if (stack.data.length !== height * width * channels) {
      throw invalidRange(`stacks (${stack.name}).data`, `${height * width * channels} values for [${stack.shape.join(', ')}]`, stack.data.length);
    }
    const colorScale = symmetricScale(stack.data);
    const pixelScale = mapPixelScale(height, width, tileSize);
    const mapsShown = Math.min(channels, maxMaps);
    const count = mapsShown < channels ? `first ${mapsShown} of ${channels} maps` : `${channels} map${channels === 1 ? '' : 's'}`;
    specs.push({
      label: `${stack.name} (${stack.className}) ${height}x${width}x${channels}: ${count}; colour scale ±${colorScale.toPrecision(3)}`,
      tileCount: mapsShown,
      tileWidth: width * pixelScale,
      tileHeight: height * pixelScale,
      columns,
      draw: (raster, channel, left, top) =>
        drawTile(raster, left, top, height, width, pixelScale, (r, c) => divergingColor(stack.data[(r * width + c) * channels + channel], colorScale)),
    });
    extra.push({ layerName: stack.name, colorScale, pixelScale, mapsShown });
  }
  const { picture, grids } = stackGrids(specs, 360);
  return { picture, grids: grids.map((grid, i) => ({ ...grid, ...extra[i] })) };
}

/** The map stacks of one example: the input (optionally) and the chosen layers' outputs. */
export function mapStacks(model: Sequential, x: Tensor, layers?: string[], includeInput = true): MapStack[] {
  const example = oneExample(model, x);
  const activations = model.activations(example);
  const chosen = layers === undefined
    ? activations.filter(({ layer, output }) => output.rank === 4 && !HIDDEN_BY_DEFAULT.has(layer.getClassName()))
    : layers.map((name, index) => {
      const layer = findLayer(model, name, `options.layers[${index}]`);
      const entry = activations.find((a) => a.layer === layer)!;
      if (entry.output.rank !== 4) {
        throw invalidRange(`options.layers[${index}]`, 'a layer whose output is [height, width, channels]', `${name} with output [${entry.output.shape.slice(1).join(', ')}]`);
      }
      return entry;
    });
  const stacks: MapStack[] = chosen.map(({ layer, output }) => ({
    name: layer.name,
    className: layer.getClassName(),
    data: output.data,
    shape: [output.shape[1], output.shape[2], output.shape[3]],
  }));
  if (includeInput && example.rank === 4) {
    stacks.unshift({ name: 'input', className: 'example', data: example.data, shape: [example.shape[1], example.shape[2], example.shape[3]] });
  }
  if (stacks.length === 0) throw invalidRange('model', 'a model with a layer whose output is [height, width, channels]', 'none');
  return stacks;
}

/** Writes the feature maps of every spatial layer for the example `x` as one PNG to `path`. */
export async function featureMaps(model: Sequential, x: Tensor, path: string, options: FeatureMapOptions = {}): Promise<FeatureMapPicture> {
  checkModel(model);
  const file = checkOutputPath('path', path, ['.png']);
  const { layers, input, ...drawing } = checkMapOptions(options);
  const result = featureMapPicture(mapStacks(model, x, layers, input), drawing);
  await writePicture(result.picture, file);
  return result;
}
