// speedscope-import.js NPM_DIR FILE: import FILE with speedscope's own
// importer (importProfileGroupFromText of its release bundle, the code its
// web page runs when a file is dropped on it) and print what it understood:
//   profile NAME total WEIGHT frames N
//   frame NAME            (every distinct frame, sorted)
// The bundle is a browser script: it runs here in a vm context with an
// inert stand-in for the DOM.  Its import module is not exported, so one
// statement is added after the bundle's own `var X=Promise.resolve().then(
// ()=>(init(),importModule))` to keep X; nothing of the import itself is
// replaced.  Exit 3 when the bundle does not have that shape.
'use strict';
const fs = require('fs');
const vm = require('vm');
const path = require('path');

const [dir, file] = process.argv.slice(2);
const rel = path.join(dir, 'node_modules/speedscope/dist/release');
const js = fs.readdirSync(rel).find(f => /^speedscope-.*\.js$/.test(f));
if (!js) {
	console.error('no speedscope bundle in ' + rel);
	process.exit(3);
}
let src = fs.readFileSync(path.join(rel, js), 'utf8');
const m = /var (\w+)=Promise\.resolve\(\)\.then\(\(\)=>\(\w+\(\),(\w+)\)\);/.exec(src);
if (!m || !new RegExp(`\\(${m[2]},\\{[^}]*importProfileGroupFromText`).test(src)) {
	console.error('speedscope bundle: import module not found');
	process.exit(3);
}
const at = m.index + m[0].length;
src = src.slice(0, at) + `globalThis.__mptImport=${m[1]};` + src.slice(at);

const inert = new Proxy(function () {}, {
	get: (t, k) => (k === Symbol.toPrimitive ? () => '' : inert),
	apply: () => inert,
	construct: () => inert,
	set: () => true,
});
const noop = () => {};
const ctx = {
	console, TextDecoder, TextEncoder, setTimeout, clearTimeout, URL,
	window: inert, document: inert, self: inert, localStorage: inert,
	navigator: { userAgent: 'node' },
	location: { hash: '', search: '', href: '' },
	requestAnimationFrame: noop, addEventListener: noop, devicePixelRatio: 1,
};
ctx.globalThis = ctx;
vm.createContext(ctx);
try {
	vm.runInContext(src, ctx);
} catch (e) {
	/* The user interface part needs a real DOM; the importer does not. */
}
if (!ctx.__mptImport) {
	console.error('speedscope import module not reached');
	process.exit(3);
}
ctx.__mptImport.then(async mod => {
	const text = fs.readFileSync(file, 'utf8');
	const group = await mod.importProfileGroupFromText(path.basename(file), text);
	if (!group || !group.profiles.length) {
		console.error('speedscope could not import ' + file);
		process.exit(1);
	}
	for (const p of group.profiles) {
		const names = new Set();
		p.forEachFrame(f => names.add(f.name));
		console.log(`profile ${p.getName()} total ${p.getTotalWeight()} frames ${names.size}`);
		for (const n of [...names].sort())
			console.log(`frame ${n}`);
	}
}).catch(e => {
	console.error(String(e));
	process.exit(1);
});
