// ICE and DTLS progress of a wrtc PeerConnection, from getStats() "transport" reports.
// Why not the PeerConnection states: when DTLS fails (e.g. a certificate that does not match the
// signalled fingerprint), libwebrtc 0.10's iceConnectionState stays "checking" and
// connectionState "connecting" forever; only the transport stats say iceState "connected",
// dtlsState "failed" (checked on this bench).
"use strict";
const { now } = require("./xmpp");

// Fills events.{iceConnected, dtlsConnected, failed} (ms) and appends state changes to states.
// Polls every 50 ms until DTLS is connected or failed, or the PeerConnection is closed.
function watchTransport(pc, events, states, onchange = () => {}) {
  let last = {};
  const poll = setInterval(async () => {
    if (pc.signalingState === "closed") return clearInterval(poll);
    let t;
    try {
      (await pc.getStats()).forEach((r) => { if (r.type === "transport") t = r; });
    } catch (e) {
      return clearInterval(poll); // closed while asking
    }
    if (!t) return;
    for (const k of ["iceState", "dtlsState"]) {
      if (t[k] && t[k] !== last[k]) { states.push({ t: now(), [k]: t[k] }); onchange(k, t[k]); }
    }
    last = t;
    if ((t.iceState === "connected" || t.iceState === "completed") && !events.iceConnected) events.iceConnected = now();
    if (t.dtlsState === "connected" && !events.dtlsConnected) events.dtlsConnected = now();
    if ((t.dtlsState === "failed" || t.iceState === "failed") && !events.failed) events.failed = now();
    if (events.dtlsConnected || events.failed) clearInterval(poll);
  }, 50);
}

module.exports = { watchTransport };
