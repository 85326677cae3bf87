/** Readers of ground-truth and detection files for the metrics core (Node side). */
export { FormatError } from './errors';
export { readNames, listFiles, type ImageSize } from './files';
export type { GroundTruthSet, DetectionSet } from './types';
export { readTxtGroundTruth, readTxtDetections, parseTxtGroundTruth, parseTxtDetections, roundHalfEven, type TxtBoxFormat, type TxtOptions } from './txt';
export { readVocGroundTruth } from './voc-xml';
export { readCocoGroundTruth, readCocoDetections } from './coco-json';
export { readYoloGroundTruth, readYoloDetections, type YoloOptions } from './yolo';
export { readImageSizes } from './image-sizes';
export {
  loadEvaluationInput, inferGroundTruthFormat, inferDetectionFormat, GT_FORMATS, DET_FORMATS,
  type LoadOptions, type EvaluationInput, type GroundTruthFormat, type DetectionFormat,
} from './load';
