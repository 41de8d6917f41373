import { PREDICTORS, type OptionSpec } from '../prefetch';

/** One option in the README's table: `` `order` (3) ``, `` `escape` A\|C\|D (C) ``, `` `minProbability` 0…1 (0) ``. */
function optionCell(name: string, spec: OptionSpec): string {
  const range =
    spec.kind === 'choice' ? ` ${spec.choices.join('\\|')}` : spec.kind === 'number' ? ` ${spec.min}…${spec.max}` : '';
  return `\`${name}\`${range} (${spec.default})`;
}

/**
 * The README's predictor table (Markdown), from the registry: name, what it proposes, its options with
 * choices and defaults. scripts/predictors-readme.ts writes it into README.md; a test keeps them equal.
 */
export function predictorTableMarkdown(): string {
  const rows = PREDICTORS.map((definition) => {
    const options = Object.entries(definition.options as Record<string, OptionSpec>).map(([name, spec]) =>
      optionCell(name, spec),
    );
    return `| \`${definition.name}\` | ${definition.proposes} | ${options.join(', ')} |`.replace('|  |', '| |');
  });
  return ['| name | proposes on a fault at page p | options (default) |', '| --- | --- | --- |', ...rows].join('\n');
}
