/** Import and export in other tools' formats (see export.ts and import.ts; one reader per format in read-*.ts). */
export { exportDataset } from './export';
export { importDataset, readForeign } from './import';
export { parseYamlNames } from './read-yolo';
