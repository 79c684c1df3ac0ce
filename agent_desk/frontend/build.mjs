// Build the desk into ../static: bundle the page scripts (JsSIP included) with esbuild, copy the CSS,
// and write the HTML pages with a content version so browsers never run a stale bundle. The build goes
// to a fresh folder first; its files then replace the served ones one by one (each rename is atomic,
// the pages last), so a running desk never finds a file missing while it is rebuilt.
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = join(here, '..', 'static');
const outDir = join(here, '..', `static.building-${process.pid}`);
process.chdir(here); // metafile paths are relative to the working directory
const assetsDir = join(outDir, 'assets');
const pages = ['login', 'desk', 'wall', 'field', 'window', 'appointment', 'console', 'docs', 'board', 'admin', 'sms', 'portal', 'postal'];
pages.push('cases', 'casefile'); // the console's cases list and case file (/cases, /cases/{id})
pages.push('imports', 'hearings'); // the court export's imports (/imports) and the hearing schedule (/hearings)
// PDF.js's worker is its own entry (pdf.worker.js, loaded by lib/pdfview.js); its CMaps and standard fonts
// (Chinese text in PDFs without embedded fonts) are copied to assets/pdfjs/.
const workers = [{ in: join(here, 'node_modules', 'pdfjs-dist', 'build', 'pdf.worker.mjs'), out: 'pdf.worker' }];

await rm(outDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

const result = await esbuild.build({
  entryPoints: [...pages.map((page) => join(here, 'src', 'pages', `${page}.js`)), join(here, 'src', 'app.css'), ...workers],
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
  loader: { '.png': 'file', '.svg': 'file' }, // images a bundled stylesheet refers to (leaflet.css)
});

for (const folder of ['cmaps', 'standard_fonts']) {
  await cp(join(here, 'node_modules', 'pdfjs-dist', folder), join(assetsDir, 'pdfjs', folder), { recursive: true });
}

const version = createHash('sha256');
for (const output of Object.keys(result.metafile.outputs).sort()) version.update(await readFile(output));
const tag = version.digest('hex').slice(0, 12);

for (const page of pages) {
  const template = await readFile(join(here, 'pages', `${page}.html`), 'utf8');
  await writeFile(join(outDir, `${page}.html`), template.replaceAll('{{version}}', tag));
}
await buildFieldWorker(result.metafile, tag);
await writeFile(join(outDir, 'build.json'), JSON.stringify({ version: tag, inputs: Object.keys(result.metafile.inputs).length }, null, 2));

await publish(outDir, staticDir);
console.log(`desk built: ${staticDir} (version ${tag})`);

/** The field page's service worker (field-sw.js at the root, so its scope may be /field), told the exact
 * URLs of the page's bundles, styles and images to keep for use without signal. */
async function buildFieldWorker(metafile, versionTag) {
  const outputs = metafile.outputs;
  const url = (output) => `/${relative(outDir, output).split('\\').join('/')}`;
  const entry = Object.keys(outputs).find((output) => outputs[output].entryPoint?.endsWith('src/pages/field.js'));
  const needed = new Set();
  const visit = (output) => {
    if (!outputs[output] || needed.has(output)) return;
    needed.add(output);
    for (const imported of outputs[output].imports) if (!imported.external) visit(imported.path);
    if (outputs[output].cssBundle) visit(outputs[output].cssBundle);
  };
  visit(entry);
  const versioned = new Set([entry, outputs[entry].cssBundle, Object.keys(outputs).find((o) => o.endsWith('assets/app.css'))]);
  visit([...versioned].at(-1));
  const precache = [...needed].filter((output) => !output.endsWith('.map')).map((output) => (versioned.has(output) ? `${url(output)}?v=${versionTag}` : url(output)));
  await esbuild.build({
    entryPoints: [join(here, 'src', 'field', 'sw.js')],
    outfile: join(outDir, 'field-sw.js'),
    bundle: true,
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    define: { PRECACHE: JSON.stringify(precache.sort()), CACHE_NAME: JSON.stringify(`songda-field-${versionTag}`) },
    logLevel: 'warning',
  });
}

/** Move every file of BUILT into SERVED (pages last), then delete what the new build no longer has. */
async function publish(built, served) {
  const files = (await filesUnder(built)).sort((a, b) => Number(a.endsWith('.html')) - Number(b.endsWith('.html')));
  for (const file of files) {
    await mkdir(dirname(join(served, file)), { recursive: true });
    await rename(join(built, file), join(served, file));
  }
  const kept = new Set(files);
  for (const file of await filesUnder(served)) if (!kept.has(file)) await rm(join(served, file));
  await rm(built, { recursive: true, force: true });
}

async function filesUnder(root) {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)));
}
