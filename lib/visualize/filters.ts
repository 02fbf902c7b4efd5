// fg.visualize.filters: a Conv2D layer's kernels as a grid of small images on the diverging colour
// map (one symmetric scale for the whole layer). Only 2-d convolutions: a 1-d or 3-d kernel has no
// natural picture, and the bias is left out (it shifts a whole map, it is not a pattern).
import { Conv } from '../layers/conv';
import { checkOptions } from '../data/options';
import type { Sequential } from '../model';
import { checkBoolean, checkInteger, invalidRange, invalidType } from '../validate';
import { centeredChannel, divergingColor, symmetricScale } from './colormap';
import { type PlacedGrid, stackGrids } from './layout';
import { type Picture, checkOutputPath, writePicture } from './picture';
import { drawTile } from './raster';

export interface FilterOptions {
  /** Pixels per kernel weight (default 8): a 3x3 kernel becomes a 24x24 tile. */
  scale?: number;
  /** Filters shown, the first ones (default 64). */
  maxFilters?: number;
  /** Input channels shown per filter, the first ones (default 16). */
  maxChannels?: number;
  /**
   * With exactly 3 input channels, one colour tile per filter (channel value
   * round(127.5 + 127.5 * w / scale), zero is grey) instead of one diverging tile per channel.
   * Default true when the layer has 3 input channels.
   */
  rgb?: boolean;
}

export interface FilterPicture {
  readonly picture: Picture;
  readonly grid: PlacedGrid;
  /** The colour scale: the largest |weight| of the whole kernel (white = 0, full red = +scale, full blue = -scale). */
  readonly colorScale: number;
  /** How tiles map to the kernel: 'filter' (one tile per filter, 1 or 3 channels) or 'filter-channel' (row = filter, column = channel). */
  readonly tiles: 'filter' | 'filter-channel';
  readonly filtersShown: number;
  readonly channelsShown: number;
}

/** The model's layer called `name`, or a RangeError listing the names there are. */
export function findLayer(model: Sequential, name: unknown, parameter = 'layerName'): Sequential['layers'][number] {
  if (typeof name !== 'string') throw invalidType(parameter, 'a layer name (string)', name);
  const layer = model.layers.find((l) => l.name === name);
  if (layer === undefined) throw invalidRange(parameter, `one of the model's layers (${model.layers.map((l) => l.name).join(', ')})`, name);
  return layer;
}

/** The model's Conv2D layers, in order. */
export function conv2dLayers(model: Sequential): Conv[] {
  return model.layers.filter((layer): layer is Conv => layer instanceof Conv && layer.rank === 2);
}

function checkFilterOptions(options: unknown): Required<Omit<FilterOptions, 'rgb'>> & { rgb: boolean | undefined } {
  const checked = checkOptions<FilterOptions>('options', options, ['scale', 'maxFilters', 'maxChannels', 'rgb']);
  return {
    scale: checkInteger('options.scale', checked.scale ?? 8, 1, 256),
    maxFilters: checkInteger('options.maxFilters', checked.maxFilters ?? 64, 1),
    maxChannels: checkInteger('options.maxChannels', checked.maxChannels ?? 16, 1),
    rgb: checked.rgb === undefined ? undefined : checkBoolean('options.rgb', checked.rgb),
  };
}

/** The picture of a Conv2D layer's kernel [KH, KW, C, F] (pure: nothing is written). */
export function filterPicture(layer: Conv, options: FilterOptions = {}): FilterPicture {
  if (!(layer instanceof Conv) || layer.rank !== 2) throw invalidType('layer', 'a Conv2D layer', layer);
  const { scale, maxFilters, maxChannels, rgb } = checkFilterOptions(options);
  const kernelVariable = layer.weights[0];
  if (kernelVariable === undefined) throw invalidRange('layer', 'a built Conv2D layer (added to a model)', layer.name);
  const [kernelHeight, kernelWidth, channels, filters] = kernelVariable.shape;
  const kernel = kernelVariable.data;
  const colorScale = symmetricScale(kernel);
  const at = (row: number, col: number, channel: number, filter: number): number =>
    kernel[((row * kernelWidth + col) * channels + channel) * filters + filter];
  const filtersShown = Math.min(filters, maxFilters);
  const asColour = rgb ?? channels === 3;
  if (asColour && channels !== 3) throw invalidRange('options.rgb', 'true only for a layer with 3 input channels', `${channels} channels`);
  const perFilter = channels === 1 || asColour;
  const channelsShown = perFilter ? channels : Math.min(channels, maxChannels);
  const shown = [
    filtersShown < filters ? `first ${filtersShown} of ${filters} filters` : `${filters} filters`,
    perFilter ? '' : channelsShown < channels ? `, first ${channelsShown} of ${channels} input channels` : `, ${channels} input channels`,
  ].join('');
  const layout = perFilter ? `${shown}` : `rows: ${shown.replace(', ', '; columns: ')}`;
  const label = `${layer.name} (Conv2D) kernels ${kernelHeight}x${kernelWidth}: ${layout}; colour scale ±${colorScale.toPrecision(3)}`;
  const tileCount = perFilter ? filtersShown : filtersShown * channelsShown;
  const { picture, grids } = stackGrids([{
    label,
    tileCount,
    tileWidth: kernelWidth * scale,
    tileHeight: kernelHeight * scale,
    columns: perFilter ? Math.min(16, Math.ceil(Math.sqrt(filtersShown * 2))) : channelsShown,
    draw: (raster, index, left, top) => {
      if (asColour) {
        drawTile(raster, left, top, kernelHeight, kernelWidth, scale, (r, c) =>
          [0, 1, 2].map((channel) => centeredChannel(at(r, c, channel, index), colorScale)) as unknown as [number, number, number]);
        return;
      }
      const filter = perFilter ? index : Math.floor(index / channelsShown);
      const channel = perFilter ? 0 : index % channelsShown;
      drawTile(raster, left, top, kernelHeight, kernelWidth, scale, (r, c) => divergingColor(at(r, c, channel, filter), colorScale));
    },
  }], 360);
  return { picture, grid: grids[0], colorScale, tiles: perFilter ? 'filter' : 'filter-channel', filtersShown, channelsShown };
}

/** Writes the kernels of the Conv2D layer `layerName` of `model` as a PNG to `path`. */
export async function filters(model: Sequential, layerName: string, path: string, options: FilterOptions = {}): Promise<FilterPicture> {
  const file = checkOutputPath('path', path, ['.png']);
  const layer = findLayer(model, layerName);
  if (!(layer instanceof Conv) || layer.rank !== 2) {
    const names = conv2dLayers(model).map((l) => l.name);
    throw invalidRange('layerName', `a Conv2D layer (${names.length > 0 ? names.join(', ') : 'the model has none'})`, `${layerName} (${layer.getClassName()})`);
  }
  const result = filterPicture(layer, options);
  await writePicture(result.picture, file);
  return result;
}
