/**
 * postcopy-lab: the library that notebooks import as `postcopy-lab`. Each area has its own index;
 * this file re-exports them so `import * as pcl from 'postcopy-lab'` gives everything with types.
 */
export const VERSION = '0.1.0';
export * from './errors';
export * from './trace';
export * from './report';
export * from './migration';
export * from './prefetch';
export * from './experiments';
export * from './util';
