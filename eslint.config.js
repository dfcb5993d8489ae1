// Lint rules, including the architecture's import boundaries:
// the engine never imports Electron or UI code; the renderer and shared types
// never import Node or Electron (they run in a sandboxed browser page); inside
// the renderer, the folders depend on each other only one way (see
// rendererBoundaries below).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const RENDERER_SRC = resolve(import.meta.dirname, 'src/renderer/src');
const RENDERER = resolve(import.meta.dirname, 'src/renderer');
const SHARED = resolve(import.meta.dirname, 'src/shared');

/** 'features/logs', 'ui', 'engine', 'app' (or '' for main.tsx) for a path inside src/renderer/src. */
function rendererArea(path) {
  const parts = relative(RENDERER_SRC, path).split(sep);
  if (parts[0] === 'features') return parts.length > 2 ? `features/${parts[1]}` : 'features';
  return parts.length > 1 ? parts[0] : '';
}

/**
 * The renderer's folders (README, Layout): the renderer imports only
 * src/shared from outside itself; a feature imports only its own files, ui/,
 * engine/, app/ and src/shared (never another feature); ui/ and engine/
 * import no feature; engine/ imports neither ui/ nor app/; only main.tsx
 * creates the engine client (no module singleton). Relative imports
 * are resolved, so `../inspector/x` from a feature is caught like any other.
 */
const rendererBoundaries = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const file = context.filename;
    const from = rendererArea(file);
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const report = (message) => context.report({ node, message: `${message} (${source})` });
      if (!target.startsWith(RENDERER + sep) && !target.startsWith(SHARED + sep) && target !== SHARED) {
        report('The renderer imports only src/shared from outside itself.');
        return;
      }
      if (!target.startsWith(RENDERER_SRC + sep)) return;
      const isTypeOnly = node.importKind === 'type' || node.exportKind === 'type';
      const fromMain = file === resolve(RENDERER_SRC, 'main.tsx');
      const clientFiles = ['engine/engine-client', 'engine/ws-engine-client'].map((f) =>
        resolve(RENDERER_SRC, f),
      );
      const fromClient = file === `${clientFiles[0]}.ts`;
      if (clientFiles.includes(target) && !isTypeOnly && !fromMain && !fromClient) {
        report(
          'Only main.tsx creates the engine client: components and hooks take it with useEngine(), stores through their bind.',
        );
        return;
      }
      const to = rendererArea(target);
      if (to === from) return;
      if (from.startsWith('features/') && to.startsWith('features/')) {
        report(
          `${from} must not import another feature's internals: move the shared piece to ui/ or engine/.`,
        );
      } else if ((from === 'ui' || from === 'engine') && to.startsWith('features')) {
        report(`${from}/ is used by the features and never imports one.`);
      } else if (from === 'engine' && (to === 'ui' || to === 'app')) {
        report('engine/ (transport, hooks, live stores) imports neither ui/ nor app/.');
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

const ENGINE = resolve(import.meta.dirname, 'src/main/engine');
/** The engine's layers (README, Layout), top to bottom. */
const ENGINE_TOP = ['engine.ts', 'create-engine.ts', 'channels', 'transport'];
const ENGINE_GROUND = ['util', 'telemetry', 'config', 'kube', 'store', 'remotedialer'];

/** 'top', 'ground' or 'domain' for a path inside src/main/engine, with its folder; undefined outside. */
function engineLayer(path) {
  const rel = relative(ENGINE, path);
  if (rel.startsWith('..')) return undefined;
  const first = rel.split(sep)[0].replace(/\.ts$/, '') + (rel.includes(sep) ? '' : '.ts');
  const folder = rel.split(sep)[0];
  if (ENGINE_TOP.includes(folder) || ENGINE_TOP.includes(first)) return { layer: 'top', folder };
  if (ENGINE_GROUND.includes(folder)) return { layer: 'ground', folder };
  return { layer: 'domain', folder };
}

/**
 * The engine's layers: engine.ts, create-engine.ts, channels/ and
 * transport/ compose the domains and are imported by none of them; the
 * ground folders (util, telemetry, config, kube, store, remotedialer) import
 * no domain folder. Tests are free to reach across.
 */
const engineBoundaries = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const file = context.filename;
    const from = engineLayer(file);
    if (!from || /\.test\.tsx?$/.test(file)) return {};
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = engineLayer(resolve(dirname(file), source));
      if (!to || to.folder === from.folder) return;
      const report = (message) => context.report({ node, message: `${message} (${source})` });
      if (to.layer === 'top' && from.layer !== 'top') {
        report(
          `${from.folder}/ is composed by the engine and never imports ${to.folder} (engine.ts, channels/, transport/).`,
        );
      } else if (from.layer === 'ground' && to.layer === 'domain') {
        report(
          `${from.folder}/ is ground: it never imports a domain folder (${to.folder}/); move the shared piece down or into src/shared.`,
        );
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      '.cache/**',
      'tools/**',
      'test-peers/**',
      'test-results/**',
      'docs/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine is plain Node.js: it never imports electron.' }],
          patterns: [
            {
              group: ['**/renderer/**', '**/preload/**'],
              message: 'The engine never imports UI or preload code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/engine/**/*.ts'],
    plugins: { engine: { rules: { boundaries: engineBoundaries } } },
    rules: { 'engine/boundaries': 'error' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { renderer: { rules: { boundaries: rendererBoundaries } } },
    rules: { 'renderer/boundaries': 'error' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer reaches the app only through window.scaleAgent.' },
            ...nodeModules.map((name) => ({
              name,
              message: 'The renderer runs in a sandboxed page: no Node modules.',
            })),
          ],
          patterns: [
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer imports only src/shared and its own code.',
            },
          ],
        },
      ],
    },
  },
);
