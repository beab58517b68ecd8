// Builds the dashboard into the folder given as the first argument (parkland's build script
// passes a folder under Cargo's OUT_DIR and embeds what lands there).
//
//   node build.mjs <out-dir>
//
// app.js bundles our modules with MapLibre GL JS; MapLibre's worker stays a file of its own
// beside it (MapLibre 6 loads `maplibre-gl-worker.mjs` relative to the importing script).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs <out-dir>');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  format: 'esm',
  // The charts (ECharts) are a chunk of their own, loaded when first opened.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  minify: true,
  sourcemap: false,
  target: ['es2022'],
  outdir: out,
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));
copyFileSync('node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs', join(out, 'maplibre-gl-worker.mjs'));
console.log(`dashboard built into ${out}`);
