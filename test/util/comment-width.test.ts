/**
 * Comments in src/ fit in 120 columns, the project's width: prettier wraps code but never a comment, so a long one
 * stayed until someone noticed (26 of them at the start of session 28). Strings that prettier cannot break (usage
 * texts, messages) are not comments and are not checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const WIDTH = 120;
/** A line that is (part of) a comment: `//`, `/*`, `/**`, or a block comment's ` * ` continuation. */
const COMMENT = /^\s*(\/\/|\/\*|\*)/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|c)$/.test(entry) ? [path] : [];
  });
}

test(`every comment line in src/ is at most ${WIDTH} characters`, () => {
  const long = sources('src').flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        COMMENT.test(line) && [...line].length > WIDTH ? [`${path}:${i + 1}: ${[...line].length}`] : [],
      ),
  );
  assert.deepEqual(long, []);
});
