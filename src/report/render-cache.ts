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
 * The Debian packages of the system libraries Debian's Chromium loads (`ldd`) to lay out and draw text and to encode
 * PNGs: an apt upgrade of one of them alone can change a figure's bytes, and neither Chromium's version nor fc-list's
 * fonts would show it. Names as Debian's sonames give them (libpng16-16 became libpng16-16t64 in trixie: a glob);
 * test/report/render-cache.test.ts checks that they still own the libraries Chromium loads.
 */
export const RENDERING_LIBRARY_PACKAGES = [
  'libfreetype6',
  'libharfbuzz0b',
  'libfontconfig1',
  'fontconfig-config',
  'libpng16-16*',
  'zlib1g',
];

/**
 * `package:arch=version` of each installed package of RENDERING_LIBRARY_PACKAGES, a line each in order; '' without
 * dpkg-query (not Debian: the libraries are then not in the key). dpkg-query -W reads only the status file (~15 ms).
 */
export function renderingLibraryVersions(): string {
  const format = '${db:Status-Abbrev}|${binary:Package}=${Version}\n';
  const query = spawnSync('dpkg-query', ['-W', '-f', format, ...RENDERING_LIBRARY_PACKAGES], { encoding: 'utf8' });
  // a name dpkg does not know exits 1 and still lists the others
  if (query.error || !query.stdout) return '';
  const installed = query.stdout.split('\n').filter((line) => line.startsWith('ii'));
  return installed
    .map((line) => line.slice(line.indexOf('|') + 1))
    .sort()
    .join('\n');
}

/**
 * What the bytes of a rendered figure depend on besides its spec: plotly, the page code that draws and serialises it,
 * the Chromium release, the fonts fontconfig offers it (plotly measures text; the PNG draws it) and the versions of
 * the text and PNG libraries Chromium loads from the system (Debian). Null when the Chromium version or the fonts
 * cannot be read: then nothing counts as rendered before.
 */
export function rendererKey(): string | null {
  const chromium = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' });
  // a font's version too: an updated package keeps its files' names
  const fonts = spawnSync('fc-list', ['--format', '%{file}|%{family}|%{style}|%{fontversion}\\n'], {
    encoding: 'utf8',
  });
  if (chromium.status !== 0 || fonts.status !== 0 || !fonts.stdout) return null;
  const fontList = fonts.stdout.split('\n').sort().join('\n');
  return sha256(
    [
      sha256(plotlyBundle()),
      sha256(RENDERER_CODE),
      chromium.stdout.trim(),
      sha256(fontList),
      sha256(renderingLibraryVersions()),
    ].join('\n'),
  );
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
