/**
 * One colour per method, the same in every figure, so a reader can follow "ppm" or "pre-copy"
 * from plot to plot without reading the legend again. Okabe-Ito-like, colour-blind friendly first.
 */
export const METHOD_COLORS: Readonly<Record<string, string>> = {
  none: '#7f7f7f',
  'next-k': '#56b4e9',
  readahead: '#009e73',
  bubbling: '#e69f00',
  stride: '#cc79a7',
  markov: '#0072b2',
  leap: '#8c564b',
  ppm: '#d55e00',
  // PPM with a confidence threshold (notebook 07): a lighter shade of PPM's colour
  'ppm p≥0.05': '#f4a582',
  oracle: '#000000',
  postcopy: '#7f7f7f',
  precopy: '#0072b2',
  hybrid: '#009e73',
  // PPM training modes (notebook 02): "both" is the paper's setup, so it keeps PPM's colour.
  offline: '#b8a300',
  online: '#6a3d9a',
  both: '#d55e00',
};

/**
 * The colour of a method; unknown names get a stable colour derived from the name. The hash steps the hue
 * by the golden angle so that names differing in one character ("order 1", "order 2") still look apart.
 */
export function colorFor(method: string): string {
  const known = METHOD_COLORS[method];
  if (known) return known;
  let hash = 0;
  for (let i = 0; i < method.length; i++) hash = (hash * 31 + method.charCodeAt(i)) >>> 0;
  return `hsl(${Math.round((hash * 137.508) % 360)}, 55%, 45%)`;
}
