// The JVB half of the stand-in: one real libwebrtc (@roamhq/wrtc) PeerConnection per participant
// session. It is the SDP offerer, so it is the full, controlling ICE agent and DTLS actpass, which
// ends up DTLS server once the participant answers setup="active" (jitsi-protocol.md §4.4).
//
// Each simulated web participant is one transceiver with its own tone and SSRC (unified plan has
// one SSRC per m-line); all are BUNDLEd on one transport and their sources are merged into the
// single Jingle "audio" content. The participant's one-content answer is expanded back into an
// SDP answer: m-line 0 carries its transport, codecs and SSRC, the others are recvonly.
"use strict";
const sdpTransform = require("sdp-transform");
const wrtc = require("@roamhq/wrtc");
const jingle = require("./jingle");
const { Tone, Recorder } = require("./media");
const { now } = require("./xmpp");
const { watchTransport } = require("./transport");

// Header extension ids Jicofo advertises by default (jicofo.codec rtp-extensions, §4.1).
const JINGLE_EXT = { [jingle.AUDIO_LEVEL]: 1, [jingle.MID]: 10 };
const CODECS = (r) => (r.codec === "opus" && r.rate === 48000) || (r.codec === "telephone-event" && r.rate === 8000);

class Bridge {
  // sims: [{id (8-hex endpoint), freq, active}]; label names recordings.
  constructor({ sims, label, generation = 0 }) {
    this.sims = sims;
    this.label = label;
    this.generation = generation;
    this.events = { iceConnected: null, dtlsConnected: null, failed: null };
    this.states = { ice: [], connection: [], transport: [] };
    this.pendingCandidates = [];
    this.answered = false;
    this.recorders = [];
    this.onchange = () => {};
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    this.pc.oniceconnectionstatechange = () => this.stateChanged("ice", this.pc.iceConnectionState);
    this.pc.onconnectionstatechange = () => this.stateChanged("connection", this.pc.connectionState);
    this.pc.ontrack = (e) => this.onTrack(e);
    watchTransport(this.pc, this.events, this.states.transport, (k, v) => this.onchange(k, v));
    for (const [i, sim] of sims.entries()) {
      sim.tone = new Tone(sim.freq);
      // The first transceiver also receives the participant's audio; the others only send.
      sim.transceiver = this.pc.addTransceiver(sim.tone.track,
        { direction: i === 0 ? "sendrecv" : "sendonly", streams: [new wrtc.MediaStream([sim.tone.track])] });
    }
  }

  // PeerConnection states give precise times for the good path; the transport stats also catch
  // "ICE connected, DTLS failed", which those states never show (see transport.js).
  stateChanged(kind, state) {
    this.states[kind].push({ t: now(), state });
    if (kind === "ice" && (state === "connected" || state === "completed") && !this.events.iceConnected) this.events.iceConnected = now();
    if (kind === "connection" && state === "connected" && !this.events.dtlsConnected) this.events.dtlsConnected = now();
    if (kind === "connection" && state === "failed" && !this.events.failed) this.events.failed = now();
    this.onchange(kind, state);
  }

  // True when ICE got through but the DTLS handshake did not: libwebrtc fails the connection when
  // the peer's certificate does not hash to the signalled fingerprint (RFC 8122 §5, RFC 5763 §5).
  dtlsFailedAfterIce() {
    return !!this.events.iceConnected && !this.events.dtlsConnected && !!this.events.failed;
  }

  // Creates the wrtc offer and returns what goes into the Jingle content.
  async offer() {
    const offer = await this.pc.createOffer();
    // Renumber sdes:mid to Jicofo's id 10 so the offer wrtc holds agrees with the Jingle.
    // (audio-level is already 1 in libwebrtc; checked below rather than assumed.)
    const sdp = offer.sdp.replace(/a=extmap:(\d+) urn:ietf:params:rtp-hdrext:sdes:mid/g, `a=extmap:${JINGLE_EXT[jingle.MID]} ${jingle.MID}`);
    await this.pc.setLocalDescription({ type: "offer", sdp });
    await this.gathered();
    const parsed = sdpTransform.parse(this.pc.localDescription.sdp);
    const m0 = parsed.media[0];
    for (const [uri, id] of Object.entries(JINGLE_EXT)) {
      const e = m0.ext.find((x) => x.uri === uri);
      if (!e || e.value !== id) throw new Error(`wrtc offer uses extmap id ${e ? e.value : "none"} for ${uri}, Jingle says ${id}`);
    }
    this.offerMedia = parsed.media;
    for (const [i, sim] of this.sims.entries()) {
      const m = parsed.media[i];
      sim.ssrc = m.ssrcs[0].id;
      sim.msid = `${sim.id}-audio-0-1 ${m.ssrcs.find((s) => s.attribute === "msid").value.split(" ")[1]}`;
    }
    const rtp = m0.rtp.filter(CODECS);
    const fmtp = {};
    for (const f of m0.fmtp) if (rtp.some((r) => r.payload === f.payload)) fmtp[f.payload] = f.config;
    const fp = m0.fingerprint || parsed.fingerprint;
    return {
      description: { rtp, fmtp, ext: m0.ext.filter((e) => e.uri in JINGLE_EXT), maxptime: 60 },
      transport: { ufrag: m0.iceUfrag, pwd: m0.icePwd, fingerprint: fp, setup: "actpass", candidates: m0.candidates || [] },
    };
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

  source(sim) { return { ssrc: sim.ssrc, name: `${sim.id}-a0`, owner: sim.id, msid: sim.msid }; }

  // d, t: parsed Jingle description/transport from session-accept (or transport-accept).
  async accept(d, t) {
    const offered = this.offerMedia[0].rtp.map((r) => r.payload);
    // No sdes:mid: the participant tags packets with the mid of *its* m-line, which is not a mid
    // wrtc knows, and libwebrtc drops packets with an unknown mid instead of demuxing by SSRC.
    const desc = Object.assign({}, d, {
      rtp: d.rtp.filter((r) => offered.includes(r.payload)),
      ext: d.ext.filter((e) => e.uri !== jingle.MID),
    });
    const setup = t.fingerprint && t.fingerprint.setup === "passive" ? "passive" : "active";
    const mlines = this.offerMedia.map((m, i) => ({
      mid: m.mid, d: desc, t, setup, dir: i === 0 ? "sendrecv" : "recvonly", sources: i === 0 ? d.sources : [],
    }));
    this.participantSsrc = d.sources.length ? d.sources[0].ssrc : null;
    await this.pc.setRemoteDescription({ type: "answer", sdp: jingle.sdp(mlines, d.allowMixed) });
    this.answered = true;
    const pending = this.pendingCandidates.concat(t.candidates);
    this.pendingCandidates = [];
    await this.addCandidates(pending);
  }

  // Trickled candidates (transport-info) may come before the answer; wrtc needs the remote
  // description first, so they wait until accept().
  async addCandidates(list) {
    if (!this.answered) { this.pendingCandidates.push(...list); return; }
    for (const candidate of list) await this.pc.addIceCandidate({ candidate, sdpMid: this.offerMedia[0].mid, sdpMLineIndex: 0 });
  }

  onTrack(e) {
    if (String(e.transceiver.mid) !== String(this.offerMedia[0].mid)) return; // only m-line 0 receives
    this.recorders.push(new Recorder(e.track, `bridge-rx-${this.label}-g${this.generation}-ssrc${this.participantSsrc}`));
    this.recorders[this.recorders.length - 1].ssrc = this.participantSsrc;
  }

  play(sim) { sim.active = true; sim.tone.play(); }
  mute(sim) { sim.active = false; sim.tone.stop(); }

  // Stops media and returns the analysis of every recording.
  finish(dir, opts) {
    for (const sim of this.sims) sim.tone.stop();
    const out = this.recorders.map((r) => Object.assign({ ssrc: r.ssrc, generation: this.generation }, r.finish(dir, opts)));
    this.pc.close();
    return out;
  }
}

module.exports = { Bridge };
