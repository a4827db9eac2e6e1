// The loaded addon exports exactly the names the NativeBinding type declares (lib/binding/types.ts
// and the family interfaces it extends): a native function registered without its type, or a
// typed one the addon lacks, fails here rather than at the first call.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { native } from '../../lib/binding/native.js';

const TYPES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'binding', 'types.ts');

/** Every member name of NativeBinding, inherited ones included, read by the TypeScript checker. */
function typedNames(): { names: string[]; sources: Map<string, string> } {
  const program = ts.createProgram([TYPES], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const file = program.getSourceFile(TYPES);
  if (!file) throw new Error(`could not read ${TYPES}`);
  const decl = file.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'NativeBinding');
  if (!decl) throw new Error(`no interface NativeBinding in ${TYPES}`);
  const checker = program.getTypeChecker();
  const problems = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) {
    throw new Error(
      ts.formatDiagnostics(problems, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => process.cwd(),
        getNewLine: () => '\n',
      }),
    );
  }
  const sources = new Map<string, string>();
  const names = checker.getPropertiesOfType(checker.getTypeAtLocation(decl.name)).map((symbol) => {
    const where = symbol.declarations?.[0]?.getSourceFile().fileName ?? '?';
    sources.set(symbol.name, where.slice(where.lastIndexOf('/') + 1));
    return symbol.name;
  });
  return { names: names.sort(), sources };
}

describe('native binding exports', () => {
  it('match the NativeBinding type in both directions', () => {
    const { names: typed, sources } = typedNames();
    const exported = Object.getOwnPropertyNames(native()).sort();
    const typedSet = new Set(typed);
    const exportedSet = new Set(exported);
    const diff = {
      exportedButNotTyped: exported.filter((n) => !typedSet.has(n)),
      typedButNotExported: typed.filter((n) => !exportedSet.has(n)).map((n) => `${n} (${sources.get(n)})`),
    };
    const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
    expect(
      diff,
      'the addon (native/napi) and NativeBinding (lib/binding/types.ts and the family interfaces) disagree; ' +
        `exported but not typed: ${list(diff.exportedButNotTyped)}; ` +
        `typed but not exported: ${list(diff.typedButNotExported)}`,
    ).toEqual({ exportedButNotTyped: [], typedButNotExported: [] });
    // The comparison is not vacuous: both sides hold the functions every model uses.
    for (const name of ['matmul', 'spmm', 'reluMask', 'gatAttention', 'pairNorm', 'TensorHandle']) {
      expect(typedSet.has(name) && exportedSet.has(name), name).toBe(true);
    }
  });
});
