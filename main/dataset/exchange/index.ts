/** Import and export in other tools' formats (YOLO/Darknet, Ultralytics, COCO, CreateML, VOC). */
export { exportDataset } from './export';
export { importDataset, readForeign } from './import';
export { parseYamlNames } from './read-foreign';
