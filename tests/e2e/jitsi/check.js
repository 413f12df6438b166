#!/usr/bin/env node
// Reads the stand-in's verdict and participant reports, prints a timing summary and every
// problem, and exits 1 with the first problem as the last line (the scenario's fail message).
//
//   node check.js VERDICT.json [REPORT.json ...]
"use strict";
const fs = require("fs");
const path = require("path");

const [verdictFile, ...reports] = process.argv.slice(2);
const problems = [];
const load = (f) => {
  try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch (e) { problems.push(`${path.basename(f)} missing or unreadable: ${e.message}`); return null; }
};

const v = load(verdictFile);
if (v) {
  for (const s of v.sessions) {
    const d = s.sinceSessionInitiate;
    console.log(`stand-in ${s.room} <-> ${s.endpoint}: after session-initiate: accept ${d.sessionAccept} ms, ICE ${d.iceConnected} ms, DTLS ${d.dtlsConnected} ms, first audio ${d.firstAudio} ms`);
    for (const a of s.audio) console.log(`  bridge heard ssrc ${a.ssrc} (g${a.generation}): ${a.seconds} s, dominant ${a.dominantHz} Hz, max gap ${a.maxGapMs} ms`);
  }
  problems.push(...v.problems.map((p) => `stand-in: ${p}`));
}
for (const f of reports) {
  const r = load(f);
  if (!r) continue;
  for (const a of (r.call && r.call.audio) || []) console.log(`  ${path.basename(f, ".json")} heard ssrc ${a.ssrc} (${a.owner}, g${a.generation}): ${a.seconds} s, dominant ${a.dominantHz} Hz, max gap ${a.maxGapMs} ms`);
  problems.push(...r.problems.map((p) => `${path.basename(f, ".json")}: ${p}`));
}
for (const p of problems) console.log(`PROBLEM ${p}`);
if (problems.length) { console.log(problems[0]); process.exit(1); }
console.log("all checks passed");
