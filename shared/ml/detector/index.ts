/** YOLOv2-style detector: configs, model building, targets, loss, decode, NMS, anchors. */
export * from './box';
export * from './config';
export * from './layout';
export * from './build';
export * from './head';
export * from './metadata';
export * from './target';
export * from './loss';
export * from './decode';
export * from './nms';
export * from './postprocess';
export * from './anchors';
export * from './train-step';
export * from './inference';
export * from './synthetic';
