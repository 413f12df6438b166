#!/usr/bin/env node
// Jicofo + JVB stand-in for the jigasi-ng e2e bench. See README.md in this folder.
//
//   node standin.js [--port 5900] [--tones 440,660] [--spare 880] [--expect 1000] [--out DIR]
//                   [--service xmpp://127.0.0.1:5222] [--component-service xmpp://127.0.0.1:5347]
//                   [--domain meet.test] [--password focuspass] [--secret focussecret]
//                   [--bad-fingerprint]   (offers a fingerprint that is not the bridge's certificate's)
//                   [--bridge wrtc|werift] (JVB side: libwebrtc full ICE agent, or werift ICE-lite)
//                   [--check-mute]       (a participant muted with POST /mute must stop sending;
//                                         wrtc bridge only)
//
// Prints "READY <port>" once it is in the brewery and the HTTP API listens. SIGTERM ends it (the
// verdict is written by POST /verdict, not on exit, so a crash can never look like a pass).
"use strict";
const { parseArgs, numbers } = require("./args");
const { Focus } = require("./focus");
const { serve } = require("./control");

const a = parseArgs(process.argv.slice(2), {
  port: process.env.STANDIN_PORT || "5900", tones: "440,660", spare: "880", expect: "1000",
  out: process.env.E2E_OUT || ".", service: "xmpp://127.0.0.1:5222", componentService: "xmpp://127.0.0.1:5347",
  domain: "meet.test", password: "focuspass", secret: "focussecret", badFingerprint: false, bridge: "wrtc",
  checkMute: false,
});
if (!["wrtc", "werift"].includes(a.bridge)) {
  console.error(`stand-in: --bridge must be wrtc or werift, not ${a.bridge}`);
  process.exit(2);
}
// The werift recorder places audio by RTP timestamp, not by arrival, so a mute cannot be cut there.
if (a.checkMute && a.bridge !== "wrtc") {
  console.error("stand-in: --check-mute needs --bridge wrtc");
  process.exit(2);
}
const d = a.domain;
const focus = new Focus({
  service: a.service, componentService: a.componentService, domain: d, authDomain: `auth.${d}`,
  password: a.password, componentSecret: a.secret, brewery: `jigasibrewery@internal.auth.${d}`,
  mucDomain: `conference.${d}`, callcontrol: `callcontrol.${d}`,
  tones: numbers(a.tones), spare: numbers(a.spare), expect: numbers(a.expect), out: a.out,
  badFingerprint: a.badFingerprint, bridge: a.bridge, checkMute: a.checkMute,
});

async function shutdown(code) {
  await focus.stop().catch(() => {});
  process.exit(code); // wrtc keeps native threads alive (test-peers.md §1.3)
}
process.on("SIGTERM", () => shutdown(0));
process.on("SIGINT", () => shutdown(0));

(async () => {
  if (a.bridge === "werift") require("./bridge_werift").preload(); // load werift before the first offer
  await focus.start();
  await serve(focus, Number(a.port));
  focus.note(`READY ${a.port}`);
})().catch((e) => {
  console.error(`stand-in failed to start: ${e.stack || e.message}`);
  shutdown(1);
});
