/**
 * Ready-made detectors of the model zoo (shared/ml/model-zoo.ts), each with its adapter. The app
 * never ships the weights; they are downloaded on first use.
 */
import type { DetectorZooEntry } from '../zoo-entry';
import { COCO_LABELS } from './coco-labels';

export const DETECTOR_ZOO: readonly DetectorZooEntry[] = [
  {
    kind: 'detector',
    id: 'centernet-mobilenetv3-coco',
    title: 'CenterNet MobileNetV3 (COCO, 80 classes, 512)',
    modelPath: 'centernet-mobilenetv3-coco/mb3-centernet.json',
    upstreamUrl: 'https://raw.githubusercontent.com/vladmandic/mb3-centernet/42cb16f134ab4062744b2095b4eccb1f805d768a/model-f16/mb3-centernet.json',
    sha256: {
      'model.json': '2768617456de12d111a382162a8e10e2dc534544beca1a85c3b7263ce8316ecf',
      'mb3-centernet.bin': '1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef',
    },
    bytes: 201_677 + 4_030_290,
    adapter: {
      name: 'CenterNet MobileNetV3 COCO',
      format: 'graph',
      inputSize: 512,
      resize: 'stretch',
      layout: 'NHWC',
      channels: 'RGB',
      mean: [0, 0, 0],
      std: [1, 1, 1],
      decoder: { kind: 'topk-boxes', output: 'tower_0/detections' },
      labels: [...COCO_LABELS],
      defaultScore: 0.3,
      defaultIou: 0.4,
    },
  },
  {
    kind: 'detector',
    id: 'nanodet-m-416-coco',
    title: 'NanoDet-m (COCO, 80 classes, 416)',
    modelPath: 'nanodet-m-416-coco/nanodet-m.json',
    upstreamUrl: 'https://raw.githubusercontent.com/vladmandic/nanodet/dcdcb456ca4a484e52c1e8cf6a624187a88de64c/models/nanodet-m.json',
    sha256: {
      'model.json': '3281686f3e2cfc770cd3a7be8def41cdec84a6071519f32dbb3baec96a857bfd',
      'nanodet-m.bin': '283fdb466f36844ad75e305ef28b929ca2c7e4effbda13d2e39370e02922c032',
    },
    bytes: 261_043 + 1_887_474,
    adapter: {
      name: 'NanoDet-m 416 COCO',
      format: 'graph',
      inputSize: 416,
      resize: 'stretch',
      layout: 'NCHW',
      channels: 'BGR',
      mean: [103.53, 116.28, 123.675],
      std: [57.375, 57.12, 58.395],
      decoder: { kind: 'gfl-grid', strides: [8, 16, 32], regMax: 7, centerOffset: 0.5, classAgnosticNms: true },
      labels: [...COCO_LABELS],
      defaultScore: 0.35,
      defaultIou: 0.5,
    },
  },
];
