/**
 * What TypeScript says about one fixture file, as tslab would before running a notebook cell: the tests of read-only
 * contracts (a line TypeScript must refuse carries @ts-expect-error, so accepting it is an error too).
 */
import ts from 'typescript';

/** The type errors in `file` (its imports are read for their types, not checked themselves), as "offset: message". */
export function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    types: ['node'],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => `${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
