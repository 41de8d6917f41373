export * from './figure';
export * from './colors';
export * from './table';
export * from './charts';
export * from './explorer';
export { setupNotebook, show, markdown, showTable, saveFigureSpec, PROJECT_ROOT, FIGURE_SPEC_DIR } from './notebook';
