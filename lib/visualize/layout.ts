// Where tiles go: grids of equal tiles stacked vertically, each under a one-line label. The
// constants are public so a test (or a reader of the PNG) can find any tile's pixels exactly.
// Pure arithmetic and drawing into a Raster; no text rendering here (labels are returned).
import type { Picture, TextLabel } from './picture';
import { type Raster, type Rgb, MAX_SIDE, createRaster, fillRect } from './raster';

/** White space around the whole picture, in pixels. */
export const MARGIN = 4;
/** Height of the label line above each grid. */
export const LABEL_HEIGHT = 18;
/** Grey space between tiles and around them inside a grid. */
export const GAP = 2;
/** White space between one grid and the next label. */
export const SECTION_SPACING = 8;
export const PAGE_BACKGROUND: Rgb = [255, 255, 255];
export const GRID_BACKGROUND: Rgb = [160, 160, 160];
/** Generous width of one 12 px label character, so a picture is never narrower than its labels. */
const LABEL_CHAR_WIDTH = 7;

/** One labelled grid to draw. */
export interface GridSpec {
  label: string;
  tileCount: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  /** Draws tile `index` with its top left corner at (left, top). */
  draw(raster: Raster, index: number, left: number, top: number): void;
}

/** A grid as placed on the picture. */
export interface PlacedGrid {
  readonly label: string;
  /** Top left of the grid area (the grey background), below its label. */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly columns: number;
  readonly rows: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
}

/** Top left pixel of tile `index` of a placed grid: tiles fill rows left to right. */
export function tileOrigin(grid: PlacedGrid, index: number): { x: number; y: number } {
  const column = index % grid.columns;
  const row = Math.floor(index / grid.columns);
  return { x: grid.left + GAP + column * (grid.tileWidth + GAP), y: grid.top + GAP + row * (grid.tileHeight + GAP) };
}

function placeGrids(specs: readonly GridSpec[]): { placed: PlacedGrid[]; width: number; height: number } {
  let top = MARGIN;
  let width = 0;
  const placed = specs.map((spec, index) => {
    const columns = Math.max(1, Math.min(spec.columns, spec.tileCount));
    const rows = Math.ceil(spec.tileCount / columns);
    const grid: PlacedGrid = {
      label: spec.label,
      left: MARGIN,
      top: top + LABEL_HEIGHT,
      width: columns * (spec.tileWidth + GAP) + GAP,
      height: rows * (spec.tileHeight + GAP) + GAP,
      columns,
      rows,
      tileWidth: spec.tileWidth,
      tileHeight: spec.tileHeight,
    };
    width = Math.max(width, grid.width);
    top = grid.top + grid.height + (index === specs.length - 1 ? 0 : SECTION_SPACING);
    return grid;
  });
  return { placed, width: width + 2 * MARGIN, height: top + MARGIN };
}

/** Draws the grids one under the other; returns the picture and where each grid went. */
export function stackGrids(specs: readonly GridSpec[], minWidth = 0): { picture: Picture; grids: PlacedGrid[] } {
  const { placed, width, height } = placeGrids(specs);
  const labelWidth = Math.max(...specs.map((spec) => spec.label.length * LABEL_CHAR_WIDTH)) + 2 * MARGIN;
  const pictureWidth = Math.max(width, minWidth, labelWidth);
  if (pictureWidth > MAX_SIDE || height > MAX_SIDE) {
    throw new RangeError(`Expected a picture of at most ${MAX_SIDE} pixels a side but the grids need ${pictureWidth} x ${height}` +
      ' (show fewer maps or filters, or a smaller scale)');
  }
  const raster = createRaster(pictureWidth, height, PAGE_BACKGROUND);
  const labels: TextLabel[] = [];
  placed.forEach((grid, gridIndex) => {
    const spec = specs[gridIndex];
    labels.push({ x: grid.left, y: grid.top - 5, text: grid.label, size: 12 });
    fillRect(raster, grid.left, grid.top, grid.width, grid.height, GRID_BACKGROUND);
    for (let index = 0; index < spec.tileCount; ++index) {
      const origin = tileOrigin(grid, index);
      spec.draw(raster, index, origin.x, origin.y);
    }
  });
  return { picture: { raster, labels }, grids: placed };
}
