// One Jingle session between the stand-in (as Jicofo, nick "focus") and one conference occupant,
// with its wrtc bridge. Builds the session-initiate of jitsi-protocol.md §4.1, applies the answer in
// either form of §4.2 (full transport in session-accept, or trickled transport-info before/after
// it) and carries out the §4.3 actions on command. Timings are ms since the stand-in started.
"use strict";
const { NS, xml, now, hex8 } = require("./xmpp");
const jingle = require("./jingle");

// --bridge: the JVB implementation, loaded on first use (same interface, see bridge.js).
const BRIDGES = {
  wrtc: () => require("./bridge").Bridge,           // libwebrtc, full ICE agent, controlling
  werift: () => require("./bridge_werift").Bridge,  // werift, ICE-lite
};

class Session {
  // focus: the Focus (connections, config); room: bare room JID; occupant: {nick, jid, realJid}
  constructor(focus, room, occupant, joinedMs) {
    this.focus = focus;
    this.room = room;
    this.occupant = occupant;
    this.sid = hex8() + hex8();
    this.jvbSsrc = 1 + Math.floor(Math.random() * 0xfffffffe);
    this.timings = { joined: joinedMs, disco: null, sessionInitiate: null, sessionAccept: null, transportInfo: [], transportReplace: null, transportAccept: null, terminated: null };
    this.problems = [];
    this.actions = [];
    this.accepted = null;       // parsed description of the participant's answer
    this.results = [];          // audio analyses of finished bridges
    this.ended = false;
    this.bridges = [];          // [{bridge, offeredMs}], one per generation (transport-replace)
    const o = focus.opts;
    const mk = (freq, active) => ({ id: hex8(), freq, active });
    this.sims = o.tones.map((f) => mk(f, true)).concat(o.spare.map((f) => mk(f, false)));
  }

  label() { return `${this.room.split("@")[0]}-${this.occupant.nick}`; }

  jingleIq(action, ...children) {
    return xml("iq", { type: "set", to: this.occupant.jid },
      xml("jingle", { xmlns: NS.JINGLE, action, initiator: this.focus.client.jid, sid: this.sid }, ...children));
  }

  // Sends an IQ through the focus' client connection (MUC-routed, so the participant sees it
  // from room/focus) and records the outcome in this.actions.
  async request(what, iq) {
    const entry = { what, sentMs: now() };
    this.actions.push(entry);
    try {
      const res = await this.focus.client.iqCaller.request(iq, 10000);
      entry.resultMs = now();
      entry.result = res.attrs.type;
    } catch (e) {
      entry.resultMs = now();
      entry.result = "error";
      entry.error = e.condition || e.message;
      this.problems.push(`${what}: the participant answered ${entry.error}`);
    }
    return entry;
  }

  sources(bridge) {
    return this.sims.filter((s) => s.active).map((s) => bridge.source(s))
      .concat([{ ssrc: this.jvbSsrc, name: "jvb-a0", owner: "jvb" }]);
  }

  content(bridge, offer) {
    return xml("content", { creator: "initiator", name: "audio", senders: "both" },
      jingle.descriptionXml(Object.assign({ sources: this.sources(bridge) }, offer.description)),
      jingle.transportXml(Object.assign({ webSocket: `wss://127.0.0.1/colibri-ws/standin/${this.sid}/${this.occupant.nick}?pwd=${hex8()}` }, offer.transport)));
  }

  groupAndBridgeSession() {
    return [xml("group", { xmlns: jingle.NS.GROUP, semantics: "BUNDLE" }, xml("content", { name: "audio" })),
      xml("bridge-session", { xmlns: NS.FOCUS, id: this.sid, region: "standin" })];
  }

  newBridge(generation) {
    for (const s of this.sims) if (s.tone) s.tone.stop();
    const Bridge = BRIDGES[this.focus.opts.bridge || "wrtc"]();
    const bridge = new Bridge({ sims: this.sims, label: this.label(), generation });
    bridge.onchange = (kind, state) => this.focus.note(`${this.label()} bridge g${generation} ${kind} ${state}`);
    this.bridges.push({ bridge, offeredMs: null });
    return bridge;
  }

  async start() {
    this.bridge = this.newBridge(0);
    const offer = await this.bridge.offer();
    // --bad-fingerprint: signal a fingerprint that is not the bridge certificate's (the answerer
    // must refuse the DTLS handshake, RFC 5763 §5).
    if (this.focus.opts.badFingerprint) offer.transport.fingerprint = Object.assign({}, offer.transport.fingerprint,
      { hash: offer.transport.fingerprint.hash.replace(/^../, (h) => (h === "00" ? "01" : "00")) });
    for (const s of this.sims) if (s.active) this.bridge.play(s);
    this.timings.sessionInitiate = this.bridges[0].offeredMs = now();
    await this.request("session-initiate", this.jingleIq("session-initiate", this.content(this.bridge, offer), ...this.groupAndBridgeSession()));
  }

  // Incoming Jingle from the participant. The IQ result has already gone out (iqCallee).
  async onJingle(el) {
    const action = el.attrs.action;
    const content = el.getChild("content");
    const d = content && content.getChild("description", jingle.NS.RTP);
    const t = content && jingle.parseTransport(content.getChild("transport", jingle.NS.ICE));
    try {
      if (action === "session-accept") {
        this.timings.sessionAccept = now();
        if (!d || !t) throw new Error("session-accept without description or ice-udp transport");
        this.accepted = jingle.parseDescription(d);
        this.acceptedTransport = t;
        if (!t.fingerprint) throw new Error("session-accept transport has no DTLS fingerprint");
        await this.bridge.accept(this.accepted, t);
      } else if (action === "transport-info") {
        this.timings.transportInfo.push({ t: now(), candidates: t ? t.candidates.length : 0, beforeAccept: !this.accepted });
        if (t) await this.bridge.addCandidates(t.candidates);
      } else if (action === "transport-accept") {
        this.timings.transportAccept = now();
        if (!t || !t.fingerprint) throw new Error("transport-accept without ice-udp transport and fingerprint");
        this.acceptedTransport = t;
        await this.bridge.accept(d ? jingle.parseDescription(d) : this.accepted, t);
      } else if (action === "session-terminate") {
        this.timings.terminated = now();
        this.terminatedBy = "participant";
        const reason = el.getChild("reason");
        this.terminateReason = reason && reason.children[0] ? reason.children[0].name : null;
        this.end();
      }
    } catch (e) {
      this.problems.push(`${action} from ${this.occupant.nick} could not be applied: ${e.message}`);
    }
  }

  simsFor(freq, active) {
    return this.sims.find((s) => s.active === active && (freq === undefined || s.freq === Number(freq)));
  }

  // source-add / source-remove: a pre-created simulated participant starts or stops sending.
  // Its transceiver exists since the offer, so nothing is renegotiated toward the participant.
  async sourceChange(action, freq) {
    const sim = this.simsFor(freq, action === "source-remove");
    if (!sim) throw new Error(`no ${action === "source-add" ? "inactive" : "active"} simulated participant${freq ? " with " + freq + " Hz" : ""}`);
    if (action === "source-add") this.bridge.play(sim); else this.bridge.mute(sim);
    const src = this.bridge.source(sim);
    await this.request(`${action} ${sim.freq} Hz`, this.jingleIq(action,
      xml("content", { creator: "initiator", name: "audio" },
        jingle.descriptionXml({ rtp: [], sources: [src], allowMixed: false }))));
    return { ssrc: src.ssrc, owner: src.owner, freq: sim.freq };
  }

  // §3.6: Jicofo tells the muted participant who muted it. --check-mute: the participant must then
  // stop sending, so the bridge's recording is cut here and its parts are analysed on their own
  // (media.js Recorder.analyseParts).
  mute(muted = true) {
    if (this.focus.opts.checkMute) for (const r of this.bridge.recorders) r.mark(muted);
    return this.request(`mute ${muted}`, xml("iq", { type: "set", to: this.occupant.jid },
      xml("mute", { xmlns: NS.AUDIO_MUTE, actor: `${this.room}/${this.sims[0].id}` }, String(muted))));
  }

  // Bridge migration (§4.3): a new bridge PeerConnection with new ICE credentials and DTLS
  // certificate; the participant must answer IQ result, then transport-accept.
  async transportReplace() {
    this.results.push(...this.bridge.finish(this.focus.opts.out, this.analysisOpts()));
    this.bridge = this.newBridge(this.bridge.generation + 1);
    const offer = await this.bridge.offer();
    // --bad-fingerprint: signal a fingerprint that is not the bridge certificate's (the answerer
    // must refuse the DTLS handshake, RFC 5763 §5).
    if (this.focus.opts.badFingerprint) offer.transport.fingerprint = Object.assign({}, offer.transport.fingerprint,
      { hash: offer.transport.fingerprint.hash.replace(/^../, (h) => (h === "00" ? "01" : "00")) });
    for (const s of this.sims) if (s.active) this.bridge.play(s);
    this.timings.transportReplace = this.bridges[this.bridges.length - 1].offeredMs = now();
    await this.request("transport-replace", this.jingleIq("transport-replace", this.content(this.bridge, offer), ...this.groupAndBridgeSession()));
  }

  async terminate(reason = "success", text = "ended by the test") {
    this.timings.terminated = now();
    this.terminatedBy = "focus";
    this.terminateReason = reason;
    await this.request(`session-terminate ${reason}`, this.jingleIq("session-terminate",
      xml("reason", {}, xml(reason), xml("text", {}, text))));
    this.end();
  }

  analysisOpts() { return { expect: this.focus.opts.expect, skipMs: 1000, maxGapMs: 60, minSeconds: 1 }; }

  end() {
    if (this.ended) return;
    this.ended = true;
    this.results.push(...this.bridge.finish(this.focus.opts.out, this.analysisOpts()));
  }

  // Everything the verdict says about this session. Times are ms since the stand-in started;
  // sinceOffer is per bridge generation, from its session-initiate or transport-replace.
  report() {
    const T = this.timings, g0 = this.bridges[0].bridge;
    const since = (from, x) => (x !== null && x !== undefined && from !== null ? x - from : null);
    const bridges = this.bridges.map(({ bridge: b, offeredMs }) => ({
      generation: b.generation, implementation: b.implementation || "wrtc", iceLite: !!b.iceLite, offeredMs, events: Object.assign({ firstAudio: this.firstAudio(b) }, b.events), states: b.states,
      participantSsrc: b.participantSsrc, ice: b.ice || null,
      sinceOffer: { iceConnected: since(offeredMs, b.events.iceConnected), dtlsConnected: since(offeredMs, b.events.dtlsConnected),
        firstAudio: since(offeredMs, this.firstAudio(b)) },
    }));
    const report = {
      room: this.room, endpoint: this.occupant.nick, realJid: this.occupant.realJid, sid: this.sid,
      simulated: this.sims.map((s) => ({ endpoint: s.id, ssrc: s.ssrc, freq: s.freq, active: s.active })),
      jvbSsrc: this.jvbSsrc,
      timings: Object.assign({}, T, { iceConnected: g0.events.iceConnected, dtlsConnected: g0.events.dtlsConnected, firstAudio: this.firstAudio(g0) }),
      sinceSessionInitiate: Object.assign({ sessionAccept: since(T.sessionInitiate, T.sessionAccept) }, bridges[0].sinceOffer),
      bridges,
      answer: this.accepted ? { codecs: this.accepted.rtp.map((r) => `${r.codec}/${r.payload}`), hdrext: this.accepted.ext,
        fingerprintSetup: this.acceptedTransport.fingerprint && this.acceptedTransport.fingerprint.setup } : null,
      terminated: T.terminated !== null ? { by: this.terminatedBy, reason: this.terminateReason } : null,
      disco: this.occupant.disco || null,
      actions: this.actions, audio: this.results, problems: this.problems.slice(),
    };
    if (!this.accepted) report.problems.push(`${this.occupant.nick} never sent session-accept`);
    for (const { bridge: b } of this.bridges) {
      const which = `${this.occupant.nick} (bridge generation ${b.generation})`;
      const fp = this.acceptedTransport && this.acceptedTransport.fingerprint;
      if (b.dtlsFailedAfterIce()) report.problems.push(`DTLS handshake failed with ${which}: ICE connected but the bridge (DTLS server) rejected the participant's certificate: it did not match the fingerprint the participant signalled (${fp ? fp.hash.slice(0, 23) : "?"}...)`);
      else if (this.accepted && !b.events.iceConnected) report.problems.push(`ICE never connected with ${which} (states: ${b.states.ice.map((s) => s.state).join(" ")})`);
      else if (this.accepted && !b.events.dtlsConnected) report.problems.push(`DTLS never connected with ${which} (transport states: ${b.states.transport.map((s) => s.dtlsState || s.iceState).join(" ")})`);
    }
    return report;
  }

  firstAudio(bridge = this.bridge) {
    const r = bridge.recorders[0];
    return r ? r.firstAudioMs : null;
  }
}

module.exports = { Session };
