#!/usr/bin/env node
// libwebrtc test participant that behaves like Jigasi on the XMPP side. See README.md.
//
//   node participant.js --room ROOM@conference.meet.test [--room-password SECRET] [--mode full|trickle|trickle-late]
//       [--tone 1000] [--expect 440,660] [--seconds 3] [--bad-fingerprint] [--timeout 30]
//       [--control] [--component] [--report FILE] [--out DIR] [--service ...] [--domain meet.test]
//
// Without --control it calls into --room at once; with --control (brewery) and/or --component
// (callcontrol.<domain>) it waits for a Rayo dial and the dial starts the call. It exits when the
// first call ends (own hangup after --seconds, session-terminate or Rayo hangup from the focus,
// kicked or the room destroyed), after writing its JSON report; exit status 1 if a check failed.
"use strict";
const fs = require("fs");
const path = require("path");
const { parseArgs, numbers } = require("./args");
const { StanzaLog, now } = require("./xmpp");
const { Call } = require("./call");
const { CallControl } = require("./callcontrol");

const a = parseArgs(process.argv.slice(2), {
  room: "", roomPassword: "", mode: "full", tone: "1000", expect: "", seconds: "0", badFingerprint: false, timeout: "30",
  control: false, component: false, report: "", out: process.env.E2E_OUT || ".", number: "+15551234567",
  service: "xmpp://127.0.0.1:5222", componentService: "xmpp://127.0.0.1:5347", domain: "meet.test",
  password: "jigasipass", secret: "callcontrolsecret",
});
if (!["full", "trickle", "trickle-late"].includes(a.mode)) throw new Error(`--mode ${a.mode}?`);
const name = a.report ? path.basename(a.report, ".json") : "participant";
const log = new StanzaLog(path.join(a.out, `${name}-stanzas.jsonl`));
const say = (m) => console.log(`${String(now()).padStart(6)} ms  ${m}`);
let call = null, control = null, done = false;

function startCall({ room, number }) {
  if (call) throw new Error("this participant handles one call");
  call = new Call({ service: a.service, domain: a.domain, room, password: a.roomPassword, mode: a.mode, freq: Number(a.tone), badFingerprint: a.badFingerprint,
    seconds: Number(a.seconds), number, direction: a.control ? "out" : "in", out: a.out, log }, () => finish());
  say(`calling into ${room} as ${call.nick} (mode ${a.mode})`);
  return call.start().then(() => { say(`joined ${room}`); return call; });
}

// Each expected tone must be the dominant frequency of its own remote SSRC; every recording must
// be free of silence and gaps (lib/audio.js analyse, after the first second).
function check(r) {
  const problems = r.call ? r.call.problems.slice() : ["no call was started (no dial arrived?)"];
  if (!r.call) return problems;
  const c = r.call, t = c.timings;
  if (!t.sessionInitiate) problems.push("participant never received session-initiate from the focus");
  else if (!t.iceConnected) problems.push("participant: ICE never connected");
  else if (!t.dtlsConnected) problems.push("participant: DTLS handshake with the bridge failed after ICE connected");
  const used = new Set();
  for (const f of numbers(a.expect)) {
    const hit = c.audio.find((x) => Math.abs(x.dominantHz - f) <= 10 && !used.has(x.ssrc));
    if (hit) used.add(hit.ssrc);
    else problems.push(`participant did not hear ${f} Hz on its own SSRC (heard: ${c.audio.map((x) => `ssrc ${x.ssrc} ${x.dominantHz} Hz`).join(", ") || "nothing"})`);
  }
  for (const x of c.audio) for (const p of x.problems) problems.push(`participant <- ssrc ${x.ssrc} (${x.owner}, generation ${x.generation}): ${p}`);
  return problems;
}

async function finish(extraProblem) {
  if (done) return;
  done = true;
  if (call && !call.ended) await call.end(extraProblem || "participant stopped");
  if (control) await control.stop();
  const r = { t: now(), room: a.room, control: control ? { dials: control.dials } : null, call: call ? call.report() : null, stanzas: log.summary() };
  r.problems = check(r);
  if (extraProblem) r.problems.unshift(extraProblem);
  r.ok = r.problems.length === 0;
  fs.writeFileSync(a.report || path.join(a.out, "participant-report.json"), JSON.stringify(r, null, 2));
  say(r.ok ? "OK" : `PROBLEMS:\n  ${r.problems.join("\n  ")}`);
  process.exit(r.ok ? 0 : 1); // wrtc keeps native threads alive
}

process.on("SIGTERM", () => finish("participant was stopped (SIGTERM) before its call ended"));
setTimeout(() => finish(`participant timed out after ${a.timeout} s (call ${call ? "started" : "never started"})`), Number(a.timeout) * 1000);

(async () => {
  if (a.control || a.component) {
    control = new CallControl({ service: a.service, componentService: a.componentService, domain: a.domain, password: a.password,
      secret: a.secret, brewery: `jigasibrewery@internal.auth.${a.domain}`, log }, startCall);
    if (a.component) await control.startComponent();
    if (a.control) await control.startBrewery();
    say("READY (waiting for Rayo dial)");
  } else {
    await startCall({ room: a.room, number: a.number });
  }
})().catch((e) => finish(`participant failed: ${e.message}`));
