/** Pretrained backbones for transfer learning (MobileNet v1) and freezing helpers. */
export * from './mobilenet';
export * from './freeze';
export * from './zoo';
