/**
 * The band loops (./bands) that may run on the kernel threads of main/training/wasm-kernels/band-pool: the pool ships their
 * source text to each worker once, and a job names a loop by its index here. A loop missing from
 * this list runs on the calling thread only (the pool refuses it with a clear error).
 */
import { depthwiseFilterBand } from './depthwise-backprop-filter';
import { depthwiseInputBand, dilateBand } from './depthwise-backprop-input';
import { col2imBand, im2colBand } from './im2col';
import { transposeBand } from './matmul';
import { binaryBand, castToFloatBand, selectBand } from './elementwise';
import { maxPoolGradBand } from './max-pool-grad';
import { sliceBand } from './slice-pad';
import { avgPoolGradBand } from './avg-pool-grad';
import { atbBand, tapsFilterBand } from './conv2d-backprop-filter';
import { leakyReluGradBand } from './leaky-relu-grad';
import { adamUpdateBand } from './adam-update';
import { relu6GradBand } from './relu6-grad';
import type { BandLoop } from './bands';

export const BAND_LOOPS: readonly BandLoop[] = [depthwiseFilterBand, depthwiseInputBand, im2colBand, col2imBand, transposeBand, maxPoolGradBand,
  binaryBand, selectBand, castToFloatBand, sliceBand, avgPoolGradBand, dilateBand, atbBand, leakyReluGradBand, adamUpdateBand, relu6GradBand, tapsFilterBand];
