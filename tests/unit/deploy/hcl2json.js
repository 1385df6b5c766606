// Parses each HCL file named on the command line with @cdktf/hcl2json and prints one JSON object
// {"<file>": <parsed>, ...} on stdout. Exits 1 with the parser's message when a file does not parse.
// Usage: node hcl2json.js TOOLS_NODE_MODULES FILE...
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { parse } = require(path.join(modules, "@cdktf/hcl2json"));
  const out = {};
  for (const file of files) {
    try {
      out[file] = await parse(path.basename(file), fs.readFileSync(file, "utf8"));
    } catch (err) {
      process.stderr.write(`${file} does not parse: ${err && err.message ? err.message : err}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
}
main();
