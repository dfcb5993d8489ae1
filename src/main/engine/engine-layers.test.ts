/**
 * The engine's layers are enforced by lint (eslint.config.js, engine/boundaries):
 * a forbidden import planted in a file fails `npm run lint`, an allowed one passes.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'engine/boundaries').map((m) => m.message);
}

describe('engine layers (lint)', () => {
  it.each([
    [
      'a domain importing the engine',
      'src/main/engine/faults/planted.ts',
      "import { Engine } from '../engine';",
    ],
    [
      'a domain importing the transport',
      'src/main/engine/rancher/planted.ts',
      "import { sendJson } from '../transport/http-utils';",
    ],
    [
      'a domain importing the channels',
      'src/main/engine/vapi/planted.ts',
      "import { engineHandlers } from '../channels/engine-handlers';",
    ],
    [
      'a ground folder importing a domain',
      'src/main/engine/telemetry/planted.ts',
      "import type { TunnelLoop } from '../rancher/tunnel-loop';",
    ],
  ])(
    'fails %s',
    async (_what, file, code) => {
      expect(await boundaryErrors(file, `${code}\nexport const x = 1;\n`)).toHaveLength(1);
    },
    30_000,
  );

  it.each([
    [
      'the engine importing a domain',
      'src/main/engine/channels/planted.ts',
      "import type { Faults } from '../faults/faults';",
    ],
    [
      'a domain importing a ground folder',
      'src/main/engine/faults/planted.ts',
      "import type { Logger } from '../telemetry/logger';",
    ],
    [
      'a domain test reaching up',
      'src/main/engine/faults/planted.test.ts',
      "import { validateRequest } from '../channels/request-validation';",
    ],
  ])(
    'allows %s',
    async (_what, file, code) => {
      expect(await boundaryErrors(file, `${code}\nexport const x = 1;\n`)).toEqual([]);
    },
    30_000,
  );
});
