/**
 * figures/renders.json: what each figure's SVG and PNG were rendered from (its spec, the renderer) and their bytes,
 * so that `npm run reproduce` draws again only figures whose spec, renderer or files changed, as make rebuilds only
 * what is out of date. The notebooks still run every time; an unchanged spec gives the same bytes again (rendering is
 * deterministic), so the drawing is skipped, not its result.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import { CHROMIUM_PATH, RENDERER_CODE } from './export';
import { plotlyBundle, type Figure } from './figure';

/** The file in the figures directory that records the renders. */
export const RENDERS_FILE = 'renders.json';

interface RenderRecord {
  spec: string;
  svg: string;
  png: string;
}

interface Renders {
  renderer: string;
  figures: Record<string, RenderRecord>;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * What the bytes of a rendered figure depend on besides its spec: plotly, the page code that draws and serialises it,
 * the Chromium release and the fonts fontconfig offers it (plotly measures text; the PNG draws it). Null when
 * the Chromium version or the fonts cannot be read: then nothing counts as rendered before.
 */
export function rendererKey(): string | null {
  const chromium = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' });
  // a font's version too: an updated package keeps its files' names
  const fonts = spawnSync('fc-list', ['--format', '%{file}|%{family}|%{style}|%{fontversion}\\n'], {
    encoding: 'utf8',
  });
  if (chromium.status !== 0 || fonts.status !== 0 || !fonts.stdout) return null;
  const fontList = fonts.stdout.split('\n').sort().join('\n');
  return sha256([sha256(plotlyBundle()), sha256(RENDERER_CODE), chromium.stdout.trim(), sha256(fontList)].join('\n'));
}

/** The renders recorded in a figures directory, and which figures are current there. */
export class RenderCache {
  private readonly renders: Renders;

  /** `renderer`: rendererKey() of the renderer that would draw now (tests give their own). */
  constructor(
    private readonly dir: string,
    private readonly renderer: string | null = rendererKey(),
  ) {
    this.renders = { renderer: renderer ?? '', figures: {} };
    const file = join(dir, RENDERS_FILE);
    if (renderer === null || !existsSync(file)) return;
    try {
      const recorded = JSON.parse(readFileSync(file, 'utf8')) as Renders;
      // records of another renderer are dropped: each of them is drawn again
      const figures = recorded.figures as unknown;
      if (recorded.renderer === renderer && typeof figures === 'object' && figures !== null && !Array.isArray(figures))
        this.renders.figures = Object.fromEntries(Object.entries(figures).filter(([, record]) => isRecord(record)));
    } catch {
      // an unreadable record: every figure is drawn again and the record rewritten
    }
  }

  /** How many figures are recorded. */
  get size(): number {
    return Object.keys(this.renders.figures).length;
  }

  /** Whether the figure's SVG and PNG in the directory are what the renderer makes of its spec. */
  isCurrent(figure: Figure): boolean {
    const record = this.renders.figures[figure.name];
    if (this.renderer === null || record === undefined || record.spec !== specHash(figure)) return false;
    return (['svg', 'png'] as const).every((format) => {
      const path = join(this.dir, `${figure.name}.${format}`);
      return existsSync(path) && sha256(readFileSync(path)) === record[format];
    });
  }

  /** Records the figure's SVG and PNG, just rendered into the directory from its spec. */
  record(figure: Figure): void {
    const bytes = (format: string) => sha256(readFileSync(join(this.dir, `${figure.name}.${format}`)));
    this.renders.figures[figure.name] = { spec: specHash(figure), svg: bytes('svg'), png: bytes('png') };
  }

  /** Forgets every figure but these (a full run's: the others are no notebook's any more). */
  keepOnly(names: readonly string[]): void {
    const keep = new Set(names);
    for (const name of Object.keys(this.renders.figures)) if (!keep.has(name)) delete this.renders.figures[name];
  }

  /** Writes the record (figures in name order, so the same renders give the same bytes). */
  write(): void {
    const figures = Object.fromEntries(Object.entries(this.renders.figures).sort(([a], [b]) => (a < b ? -1 : 1)));
    writeFileAtomic(
      join(this.dir, RENDERS_FILE),
      `${JSON.stringify({ renderer: this.renders.renderer, figures }, null, 1)}\n`,
    );
  }
}

/** Whether a recorded entry has a record's shape (a hand-edited or damaged one is no record: drawn again). */
function isRecord(record: unknown): record is RenderRecord {
  if (typeof record !== 'object' || record === null) return false;
  const { spec, svg, png } = record as Record<string, unknown>;
  return typeof spec === 'string' && typeof svg === 'string' && typeof png === 'string';
}

/** A spec as saveFigureSpec writes it. */
const specHash = (figure: Figure): string => sha256(JSON.stringify(figure));
