// The JVB half of the stand-in, second implementation (`standin.js --bridge werift`): one werift
// PeerConnection per session, an **ICE-lite** agent (RFC 8445 §2.5). It gathers host candidates,
// answers connectivity checks and never sends any, so the participant (the full agent) has to end
// up controlling and nominate (§6.1.1). Jingle (XEP-0176) has no way to say "ice-lite", so the
// participant only learns it from the 487 Role Conflict werift answers to a check that claims
// ICE-CONTROLLED (werift's lite agent never switches roles, §7.3.1.1).
//
// Otherwise it is bridge.js with werift instead of libwebrtc: the SDP offerer, DTLS actpass (server
// once the participant answers setup="active"), one transceiver per simulated web participant
// (first sendrecv, the others sendonly), all BUNDLEd, merged into the one Jingle "audio" content;
// the participant's answer is expanded back into an SDP answer for werift. werift has no audio
// codec: tones are Opus from opusscript, the participant's Opus is decoded with opusscript
// (opus_media.js). Same interface and result shapes as bridge.js, so session.js, the verdict and
// check.js do not care which bridge runs.
"use strict";
const sdpTransform = require("sdp-transform");
const werift = require("werift");
const jingle = require("./jingle");
const { OpusTone, OpusRecorder } = require("./opus_media");
const { now } = require("./xmpp");

// Header extension ids Jicofo advertises by default (jicofo.codec rtp-extensions, §4.1).
const JINGLE_EXT = { [jingle.AUDIO_LEVEL]: 1, [jingle.MID]: 10 };
const CODECS = (r) => (r.codec === "opus" && r.rate === 48000) || (r.codec === "telephone-event" && r.rate === 8000);

// One fresh ECDSA P-256 certificate per bridge (~100 ms of JS crypto), made one bridge ahead so an
// offer does not wait for it.
let nextCertificate = null;
function makeCertificate() {
  return werift.CipherContext.createSelfSignedCertificateWithKey(
    { signature: werift.SignatureAlgorithm.ecdsa_3, hash: werift.HashAlgorithm.sha256_4 }, werift.NamedCurveAlgorithm.secp256r1_23);
}
function takeCertificate() {
  const cert = nextCertificate || makeCertificate();
  nextCertificate = makeCertificate();
  return cert;
}

class Bridge {
  // sims: [{id (8-hex endpoint), freq, active}]; label names recordings.
  constructor({ sims, label, generation = 0 }) {
    this.implementation = "werift";
    this.iceLite = true;
    this.sims = sims;
    this.label = label;
    this.generation = generation;
    this.events = { iceConnected: null, dtlsConnected: null, failed: null };
    this.states = { ice: [], connection: [], transport: [] };
    this.pendingCandidates = [];
    this.answered = false;
    this.closed = false;
    this.recorders = [];
    this.onchange = () => {};
    this.remoteSet = false;
    // The participant's connectivity checks as this ICE-lite agent saw them (watchChecks).
    this.ice = { lite: true, checks: 0, controlled: 0, controlling: 0, useCandidate: 0, from: [],
      firstCheckMs: null, firstControllingMs: null, firstUseCandidateMs: null };
    this.pc = null; // made in offer(), once this bridge's certificate is ready
    for (const sim of sims) sim.tone = new OpusTone(sim.freq, new werift.MediaStreamTrack({ kind: "audio" }));
  }

  // keys: this bridge's own DTLS certificate (werift would otherwise reuse one per process, and a
  // bridge migration is a new bridge with a new certificate).
  createPeerConnection(keys) {
    this.pc = new werift.RTCPeerConnection({
      iceLite: true,
      iceServers: [],
      iceAdditionalHostAddresses: ["127.0.0.1"], // werift skips loopback interfaces otherwise (test-peers.md §4.1)
      iceInterfaceAddresses: { udp4: "127.0.0.1" },
      iceUseIpv6: false,
      bundlePolicy: "max-bundle",
      rtcpMuxPolicy: "require",
      dtls: { keys },
      codecs: {
        audio: [
          new werift.RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2, payloadType: 111, parameters: "minptime=10;useinbandfec=1" }),
          new werift.RTCRtpCodecParameters({ mimeType: "audio/telephone-event", clockRate: 8000, payloadType: 126 }),
        ],
        video: [],
      },
      headerExtensions: { audio: [werift.useAudioLevelIndication(), werift.useSdesMid()], video: [] },
    });
    // werift numbers extensions 1, 2, ... in configuration order; Jicofo's ids are 1 and 10.
    for (const e of this.pc.config.headerExtensions.audio) if (e.uri in JINGLE_EXT) e.id = JINGLE_EXT[e.uri];
    this.pc.iceConnectionStateChange.subscribe((s) => this.stateChanged("ice", s));
    this.pc.connectionStateChange.subscribe((s) => this.stateChanged("connection", s));
    for (const [i, sim] of this.sims.entries()) {
      // The first transceiver also receives the participant's audio; the others only send.
      sim.transceiver = this.pc.addTransceiver(sim.tone.track, { direction: i === 0 ? "sendrecv" : "sendonly" });
    }
    this.sims[0].transceiver.onTrack.subscribe((track) => this.onTrack(track));
    this.watchTransport();
  }

  // werift's PeerConnection states (ice: checking -> connected/completed; connection: connected
  // once DTLS is up on every transport) plus the ICE and DTLS transports' own states, which also
  // show "ICE connected, DTLS failed" (the same entries transport.js collects from libwebrtc).
  // Before the answer werift's ICE transport reports "completed" once gathering is done; only
  // states after the answer count as connected.
  stateChanged(kind, state) {
    this.states[kind].push({ t: now(), state });
    this.onchange(kind, state);
    if (!this.remoteSet) return;
    if (kind === "ice" && (state === "connected" || state === "completed") && !this.events.iceConnected) this.events.iceConnected = now();
    if (kind === "connection" && state === "connected" && !this.events.dtlsConnected) this.events.dtlsConnected = now();
    if (kind === "connection" && state === "failed" && !this.events.failed) this.events.failed = now();
  }

  watchTransport() {
    const dtls = this.pc.dtlsTransports[0];
    if (!dtls) return;
    const record = (key, state) => {
      this.states.transport.push({ t: now(), [key]: state });
      this.onchange(key, state);
      if (!this.remoteSet) return;
      if (key === "iceState" && (state === "connected" || state === "completed") && !this.events.iceConnected) this.events.iceConnected = now();
      if (key === "dtlsState" && state === "connected" && !this.events.dtlsConnected) this.events.dtlsConnected = now();
      if (state === "failed" && !this.events.failed) this.events.failed = now();
    };
    dtls.iceTransport.onStateChange.subscribe((s) => record("iceState", s));
    dtls.onStateChange.subscribe((s) => record("dtlsState", s));
  }

  // True when ICE got through but the DTLS handshake did not (e.g. the peer's certificate does not
  // hash to the fingerprint it signalled).
  dtlsFailedAfterIce() {
    return !!this.events.iceConnected && !this.events.dtlsConnected && !!this.events.failed;
  }

  // Creates the werift offer (werift gathers before setLocalDescription resolves) and returns
  // what goes into the Jingle content.
  async offer() {
    this.createPeerConnection(await takeCertificate());
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const parsed = sdpTransform.parse(this.pc.localDescription.sdp);
    const m0 = parsed.media[0];
    for (const [uri, id] of Object.entries(JINGLE_EXT)) {
      const e = (m0.ext || []).find((x) => x.uri === uri);
      if (!e || e.value !== id) throw new Error(`werift offer uses extmap id ${e ? e.value : "none"} for ${uri}, Jingle says ${id}`);
    }
    this.offerMedia = parsed.media;
    this.watchChecks();
    for (const sim of this.sims) {
      const sender = sim.transceiver.sender;
      sim.ssrc = sender.ssrc;
      sim.msid = `${sim.id}-audio-0-1 ${sender.trackId}`;
    }
    const rtp = m0.rtp.filter(CODECS);
    const fmtp = {};
    for (const f of m0.fmtp || []) if (rtp.some((r) => r.payload === f.payload)) fmtp[f.payload] = f.config;
    const fp = m0.fingerprint || parsed.fingerprint;
    const candidates = m0.candidates || [];
    if (!candidates.some(jingle.usable)) throw new Error(`werift gathered no UDP/IPv4 candidate: ${JSON.stringify(candidates)}`);
    return {
      description: { rtp, fmtp, ext: m0.ext.filter((e) => e.uri in JINGLE_EXT), maxptime: 60 },
      transport: { ufrag: m0.iceUfrag || parsed.iceUfrag, pwd: m0.icePwd || parsed.icePwd, fingerprint: fp, setup: "actpass", candidates },
    };
  }

  // Counts the Binding requests werift's sockets receive. werift (lite) answers a check that claims
  // ICE-CONTROLLED with 487 Role Conflict and takes USE-CANDIDATE from a controlling one as the
  // nomination, so these numbers tell whether and when the participant switched to controlling.
  watchChecks() {
    const conn = this.pc.iceTransports[0] && this.pc.iceTransports[0].connection;
    for (const protocol of (conn && conn.protocols) || []) {
      protocol.onRequestReceived.subscribe((msg, addr) => {
        const k = msg.attributesKeys, c = this.ice, t = now();
        if (!k.includes("USERNAME")) return;
        c.checks++;
        if (c.firstCheckMs === null) c.firstCheckMs = t;
        const from = `${addr[0]}:${addr[1]}`;
        if (!c.from.includes(from)) c.from.push(from);
        if (k.includes("ICE-CONTROLLED")) c.controlled++;
        if (k.includes("ICE-CONTROLLING")) { c.controlling++; if (c.firstControllingMs === null) c.firstControllingMs = t; }
        if (k.includes("USE-CANDIDATE")) { c.useCandidate++; if (c.firstUseCandidateMs === null) c.firstUseCandidateMs = t; }
      });
    }
  }

  source(sim) { return { ssrc: sim.ssrc, name: `${sim.id}-a0`, owner: sim.id, msid: sim.msid }; }

  // d, t: parsed Jingle description/transport from session-accept (or transport-accept).
  async accept(d, t) {
    const offered = this.offerMedia[0].rtp.map((r) => r.payload);
    // As in bridge.js, sdes:mid is left out of the SDP answer (jigasi-ng does not answer it either);
    // werift routes incoming RTP by the SSRC signalled for m-line 0.
    const desc = Object.assign({}, d, {
      rtp: d.rtp.filter((r) => offered.includes(r.payload)),
      ext: d.ext.filter((e) => e.uri !== jingle.MID),
    });
    const setup = t.fingerprint && t.fingerprint.setup === "passive" ? "passive" : "active";
    const mlines = this.offerMedia.map((m, i) => ({
      mid: m.mid, d: desc, t, setup, dir: i === 0 ? "sendrecv" : "recvonly", sources: i === 0 ? d.sources : [],
    }));
    this.participantSsrc = d.sources.length ? d.sources[0].ssrc : null;
    const opus = desc.rtp.find((r) => r.codec.toLowerCase() === "opus");
    this.opusPt = opus ? opus.payload : 111;
    const level = desc.ext.find((e) => e.uri === jingle.AUDIO_LEVEL);
    for (const sim of this.sims) sim.tone.audioLevelId = level ? level.value : 0;
    this.remoteSet = true;
    await this.pc.setRemoteDescription({ type: "answer", sdp: jingle.sdp(mlines, d.allowMixed) });
    this.answered = true;
    const pending = this.pendingCandidates.concat(t.candidates);
    this.pendingCandidates = [];
    await this.addCandidates(pending);
  }

  // Trickled candidates (transport-info) may come before the answer. An ICE-lite agent does not
  // need them (it learns the participant's address from its checks), but takes them anyway.
  async addCandidates(list) {
    if (!this.answered) { this.pendingCandidates.push(...list); return; }
    for (const candidate of list) await this.pc.addIceCandidate({ candidate, sdpMid: this.offerMedia[0].mid, sdpMLineIndex: 0 });
  }

  onTrack(track) {
    if (this.recorders.length) return;
    const r = new OpusRecorder(`bridge-rx-${this.label}-g${this.generation}-ssrc${this.participantSsrc}`, this.opusPt);
    r.ssrc = this.participantSsrc;
    this.recorders.push(r);
    track.onReceiveRtp.subscribe((rtp) => r.onRtp(rtp));
  }

  play(sim) { sim.active = true; sim.tone.play(); }
  mute(sim) { sim.active = false; sim.tone.stop(); }

  // Stops media and returns the analysis of every recording.
  finish(dir, opts) {
    for (const sim of this.sims) sim.tone.stop();
    const out = this.recorders.map((r) => Object.assign({ ssrc: r.ssrc, generation: this.generation }, r.finish(dir, opts)));
    if (this.pc && !this.closed) {
      this.closed = true;
      this.pc.close().catch(() => {});
    }
    return out;
  }
}

// The stand-in calls this at start-up: loading werift takes ~0.35 s and the first certificate
// ~0.1 s, which would otherwise delay the first session-initiate.
function preload() { if (!nextCertificate) nextCertificate = makeCertificate(); }

module.exports = { Bridge, preload };
