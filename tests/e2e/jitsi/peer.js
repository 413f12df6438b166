// The participant's media side: a wrtc PeerConnection that answers a Jingle offer the way Jigasi
// does (ICE controlled, DTLS active, one Opus source of its own). The Jingle content is turned
// into a local SDP offer with one m-line per remote source (unified plan needs that to hand each
// SSRC its own track), so every remote participant is recorded separately. Bridge sources
// (owner="jvb") are ignored, as Jigasi does.
"use strict";
const sdpTransform = require("sdp-transform");
const wrtc = require("@roamhq/wrtc");
const crypto = require("crypto");
const jingle = require("./jingle");
const { Tone, Recorder } = require("./media");
const { now } = require("./xmpp");
const { watchTransport } = require("./transport");

class Peer {
  constructor({ freq, nick, generation = 0, badFingerprint = false }) {
    this.nick = nick;
    this.generation = generation;
    this.badFingerprint = badFingerprint;
    this.events = { iceConnected: null, dtlsConnected: null, failed: null };
    this.states = [];
    this.mlines = [];        // [{mid, source|null, removed}]
    this.recorders = new Map(); // mid -> Recorder
    this.version = 2;
    this.originId = Date.now();
    this.tone = new Tone(freq);
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    this.pc.addTrack(this.tone.track, new wrtc.MediaStream([this.tone.track]));
    this.pc.oniceconnectionstatechange = () => {
      const s = this.pc.iceConnectionState;
      this.states.push({ t: now(), ice: s });
      if ((s === "connected" || s === "completed") && !this.events.iceConnected) this.events.iceConnected = now();
    };
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState;
      this.states.push({ t: now(), connection: s });
      if (s === "connected" && !this.events.dtlsConnected) this.events.dtlsConnected = now();
      if (s === "failed" && !this.events.failed) this.events.failed = now();
    };
    watchTransport(this.pc, this.events, this.states);
    this.pc.ontrack = (e) => {
      const m = this.mlines.find((x) => x.mid === e.transceiver.mid);
      if (!m || !m.source || this.recorders.has(m.mid)) return;
      this.recorders.set(m.mid, Object.assign(new Recorder(e.track, `participant-rx-g${this.generation}-ssrc${m.source.ssrc}-${m.source.owner}`), { source: m.source }));
    };
  }

  remoteSdp() {
    // m-line 0 also carries our own audio, so removing its source only stops the remote direction.
    const dir = (m, i) => (i === 0 ? (m.removed ? "recvonly" : "sendrecv") : m.removed ? "inactive" : "sendonly");
    return jingle.sdp(this.mlines.map((m, i) => ({ mid: m.mid, d: this.offer, t: this.transport, setup: this.transport.fingerprint.setup,
      dir: dir(m, i), sources: m.source && !m.removed ? [m.source] : [] })), this.offer.allowMixed, { id: this.originId, version: this.version++ });
  }

  async negotiate() {
    await this.pc.setRemoteDescription({ type: "offer", sdp: this.remoteSdp() });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
  }

  // d, t: parsed Jingle description and transport of session-initiate (or transport-replace).
  // Resolves with the local answer, ready for session-accept / transport-accept.
  async answer(d, t) {
    this.offer = d;
    this.transport = t;
    const sources = d.sources.filter((s) => s.owner !== "jvb");
    this.mlines = (sources.length ? sources : [null]).map((source, i) => ({ mid: String(i), source }));
    await this.negotiate();
    // Gathering on loopback takes a few ms; trickle mode splits the result over transport-info.
    await this.gathered();
    for (const c of t.candidates) await this.pc.addIceCandidate({ candidate: c, sdpMid: "0", sdpMLineIndex: 0 });
    this.tone.play();
    return this.local();
  }

  gathered() {
    return new Promise((resolve) => {
      if (this.pc.iceGatheringState === "complete") return resolve();
      const timer = setTimeout(resolve, 3000);
      this.pc.onicegatheringstatechange = () => {
        if (this.pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
      };
    });
  }

  // What goes into session-accept: codecs and extensions answered on m-line 0, the own SSRC, the
  // transport. With --bad-fingerprint, the fingerprint is random bytes instead of the hash of
  // the certificate libwebrtc will present.
  local() {
    const p = sdpTransform.parse(this.pc.localDescription.sdp), m0 = p.media[0];
    const fmtp = {};
    for (const f of m0.fmtp) fmtp[f.payload] = f.config;
    const ssrc = m0.ssrcs ? m0.ssrcs[0].id : null;
    const attr = (name) => { const a = (m0.ssrcs || []).find((s) => s.attribute === name); return a ? a.value : undefined; };
    const fp = Object.assign({}, m0.fingerprint || p.fingerprint);
    if (this.badFingerprint) fp.hash = crypto.randomBytes(32).toString("hex").toUpperCase().match(/../g).join(":");
    return {
      description: { rtp: m0.rtp, fmtp, ext: m0.ext || [], ssrc, allowMixed: false,
        sources: ssrc ? [{ ssrc, name: `${this.nick}-a0`, cname: attr("cname"), msid: attr("msid") }] : [] },
      transport: { ufrag: m0.iceUfrag, pwd: m0.icePwd, fingerprint: fp, setup: "active", candidates: m0.candidates || [] },
    };
  }

  addCandidates(list) {
    return Promise.all(list.map((c) => this.pc.addIceCandidate({ candidate: c, sdpMid: "0", sdpMLineIndex: 0 })));
  }

  // source-add / source-remove: a local renegotiation only; the bridge transport is unchanged.
  async addSources(sources) {
    for (const s of sources.filter((x) => x.owner !== "jvb")) this.mlines.push({ mid: String(this.mlines.length), source: s });
    await this.negotiate();
  }

  async removeSources(sources) {
    for (const m of this.mlines) if (m.source && sources.some((s) => s.ssrc === m.source.ssrc)) { m.removed = now(); }
    await this.negotiate();
  }

  finish(dir, opts) {
    this.tone.stop();
    const out = [...this.recorders.values()].map((r) => Object.assign({ ssrc: r.source.ssrc, owner: r.source.owner, generation: this.generation },
      r.finish(dir, opts)));
    this.pc.close();
    return out;
  }
}

module.exports = { Peer };
