// Build the desk into ../static: bundle the page scripts (JsSIP included) with esbuild, copy the CSS,
// and write the HTML pages with a content version so browsers never run a stale bundle.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'static');
process.chdir(here); // metafile paths are relative to the working directory
const assetsDir = join(outDir, 'assets');
const pages = ['login', 'desk', 'wall'];

await rm(outDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

const result = await esbuild.build({
  entryPoints: [...pages.map((page) => join(here, 'src', 'pages', `${page}.js`)), join(here, 'src', 'app.css')],
  outdir: assetsDir,
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'eof',
  charset: 'utf8',
  metafile: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});

const version = createHash('sha256');
for (const output of Object.keys(result.metafile.outputs).sort()) version.update(await readFile(output));
const tag = version.digest('hex').slice(0, 12);

for (const page of pages) {
  const template = await readFile(join(here, 'pages', `${page}.html`), 'utf8');
  await writeFile(join(outDir, `${page}.html`), template.replaceAll('{{version}}', tag));
}
await writeFile(join(outDir, 'build.json'), JSON.stringify({ version: tag, inputs: Object.keys(result.metafile.inputs).length }, null, 2));
console.log(`desk built: ${join(outDir)} (version ${tag})`);
