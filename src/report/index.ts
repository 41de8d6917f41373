export * from './figure';
export * from './colors';
export * from './table';
export * from './charts';
export * from './explorer';
export { setupNotebook, show, markdown, showTable, showFrame, frameRows, showExplorer, saveFigureSpec, PROJECT_ROOT, FIGURE_SPEC_DIR, type FrameLike } from './notebook';
export { predictorTableMarkdown } from './predictor-table';
