/** Pure dataset domain: types and logic shared by main/ and the renderer. */
export * from './types';
export * from './natural-sort';
export * from './split';
export * from './exif';
export * from './convert';
export * from './classes';
export * from './filter';
export * from './stats';
