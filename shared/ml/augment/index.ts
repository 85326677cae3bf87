/** Seeded image + box augmentation for detector training (pure TS). */
export * from './photometric';
export * from './filters';
export * from './geometric';
export * from './hsv';
export * from './mosaic';
export * from './mixup';
export * from './pipeline';
