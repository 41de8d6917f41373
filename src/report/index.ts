export * from './figure';
export * from './colors';
export * from './table';
export * from './charts';
export * from './explorer';
export {
  setupNotebook,
  show,
  markdown,
  showTable,
  showFrame,
  frameRows,
  showExplorer,
  showWhatIfPage,
  saveFigureSpec,
  PROJECT_ROOT,
  figureSpecDir,
  type FrameLike,
} from './notebook';
export { predictorTableMarkdown } from './predictor-table';
export {
  whatifPageHtml,
  writeWhatifPage,
  whatifFrameHtml,
  type WhatifPageOptions,
  type WhatifWorkload,
} from './whatif/page';
export { DEFAULT_WHATIF_SETTINGS, type WhatifSettings } from './whatif/settings';
