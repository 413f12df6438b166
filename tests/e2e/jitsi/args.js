// Tiny "--name value" / "--flag" parser shared by the stand-in and the participant.
"use strict";

// defaults: {name: default}; booleans in defaults are flags. Unknown options are an error.
function parseArgs(argv, defaults) {
  const out = Object.assign({}, defaults);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const key = m[1].replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${m[1]}`);
    if (typeof defaults[key] === "boolean") out[key] = true;
    else if (i + 1 >= argv.length) throw new Error(`--${m[1]} needs a value`);
    else out[key] = argv[++i];
  }
  return out;
}

const numbers = (s) => (s === "" ? [] : String(s).split(",").map(Number));

module.exports = { parseArgs, numbers };
