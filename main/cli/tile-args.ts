/**
 * The `--tile [SIZE]` and `--tile-overlap F` options of the commands that run a detector on files
 * (`detecta predict`, `detecta dataset review`): parsed and checked in one place, so both accept
 * and refuse the same things with the same words.
 */
import { checkTileOptions, DEFAULT_TILE_OVERLAP, type TileOptions } from '../../shared/ml/detector/tiles';

/** parseArgs option specs of the two options. */
export const TILE_ARG_OPTIONS = { tile: { type: 'string' }, 'tile-overlap': { type: 'string' } } as const;

/** The usage text of the two options. */
export const TILE_ARG_USAGE = `--tile   tiled detection for small objects in large photos (SAHI-style): the image is cut into
         overlapping tiles of SIZE pixels (default: the model's input size), each detected at the
         model's input size, plus one pass over the whole image; boxes are merged by class-wise NMS
--tile-overlap  the fraction of a tile shared with its neighbour (0 to 0.9, default ${DEFAULT_TILE_OVERLAP})`;

/** `--tile` may stand alone (the model's input size): give it the value "input" so parseArgs accepts it. */
export function withTileValue(argv: string[]): string[] {
  return argv.flatMap((a, i) => (a === '--tile' && (i + 1 >= argv.length || argv[i + 1].startsWith('-')) ? ['--tile', 'input'] : [a]));
}

/** What the options asked for: null without --tile; 'input' is the model's input size, known once it is loaded. */
export interface TileRequest { tileSize: number | 'input'; overlap: number }

/** Checks the parsed option values; throws the message to show with the usage (exit code 2). */
export function parseTileArgs(values: { tile?: string; 'tile-overlap'?: string }): TileRequest | null {
  let request: TileRequest | null = null;
  if (values.tile !== undefined) {
    const tileSize = values.tile === 'input' ? 'input' : Number(values.tile);
    if (tileSize !== 'input' && !(Number.isInteger(tileSize) && tileSize >= 16)) throw new Error(`--tile SIZE must be a whole number of pixels, at least 16, got "${values.tile}"`);
    request = { tileSize, overlap: DEFAULT_TILE_OVERLAP };
  }
  if (values['tile-overlap'] !== undefined) {
    if (!request) throw new Error('--tile-overlap needs --tile');
    const overlap = Number(values['tile-overlap']);
    if (!(overlap >= 0 && overlap <= 0.9)) throw new Error(`--tile-overlap must be a fraction in [0, 0.9], got "${values['tile-overlap']}"`);
    request.overlap = overlap;
  }
  return request;
}

/** The tile options for a model of the given input size (undefined without --tile). */
export function tileOptionsFor(request: TileRequest | null, inputSize: number): TileOptions | undefined {
  if (!request) return undefined;
  const tile = { tileSize: request.tileSize === 'input' ? inputSize : request.tileSize, overlap: request.overlap };
  checkTileOptions(tile);
  return tile;
}
