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
  oracle: '#000000',
  postcopy: '#7f7f7f',
  precopy: '#0072b2',
  hybrid: '#009e73',
  // PPM training modes (notebook 02): "both" is the paper's setup, so it keeps PPM's colour.
  offline: '#b8a300',
  online: '#6a3d9a',
  both: '#d55e00',
};

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash;
}

/** `#rrggbb` mixed with white: share 0 keeps the colour, 1 gives white. */
function lighter(hex: string, share: number): string {
  const channel = (at: number) => {
    const value = parseInt(hex.slice(at, at + 2), 16);
    return Math.round(value + (255 - value) * share)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/**
 * The colour of a method. A variant of a known method, labelled "NAME something" (e.g. "ppm p≥0.05"), gets a
 * lighter shade of NAME's colour, so the variants an experiment defines need no entry here. Other names get a
 * stable colour derived from the name: the hash steps the hue by the golden angle so that names differing in
 * one character ("order 1", "order 2") still look apart.
 */
export function colorFor(method: string): string {
  const known = METHOD_COLORS[method];
  if (known) return known;
  const space = method.indexOf(' ');
  const base = space > 0 ? METHOD_COLORS[method.slice(0, space)] : undefined;
  if (base) return lighter(base, 0.35 + (hashOf(method.slice(space + 1)) % 4) * 0.1);
  return `hsl(${Math.round((hashOf(method) * 137.508) % 360)}, 55%, 45%)`;
}
