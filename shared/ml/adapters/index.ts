/** Model adapters: input building and output decoding for our detectors and ready-made tfjs models. */
export * from './metadata';
export * from './coco-labels';
export * from './zoo';
export * from './geometry';
export * from './input';
export * from './decode';
