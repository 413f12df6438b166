// One call of the test participant, on its own anonymous XMPP connection, as Jigasi does per SIP
// call (jitsi-protocol.md §3): conference IQ to focus.<domain> (§3.2), MUC join with the §3.3
// presence, disco#info answers, Jingle responder (§4.2, §4.3), mute IQ (§3.6), Rayo hangup (§2.3).
// Being removed from the room (kicked, XEP-0045 §8.2, or the room destroyed, §10.9) ends the call,
// as it does for Jigasi.
"use strict";
const crypto = require("crypto");
const { NS, xml, now, connectClient, joinMuc, hex8 } = require("./xmpp");
const jingle = require("./jingle");
const { Peer } = require("./peer");

// §3.3 feature list (VIDEO_CALLING_DISABLED=true), in XEP-0115 order for the caps hash.
const FEATURES = ["http://jabber.org/protocol/disco#info", "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1",
  "urn:xmpp:jingle:apps:rtp:audio", "urn:xmpp:jingle:transports:ice-udp:1", "urn:xmpp:jingle:transports:raw-udp:1",
  "urn:xmpp:jingle:apps:dtls:0", "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0", "urn:xmpp:jingle:apps:rtp:zrtp:1",
  "urn:xmpp:jingle:transfer:0", "http://jabber.org/protocol/muc#rooms", "http://jabber.org/protocol/muc#traffic",
  NS.JIGASI, "urn:xmpp:jingle:dtmf:0", "http://jitsi.org/protocol/audio-mute"].sort();
const IDENTITY = { category: "client", type: "pc", name: "jigasi-ng test participant" };
const CAPS_NODE = "https://github.com/jigasi-ng/e2e-participant";
const CAPS_VER = crypto.createHash("sha1").update(`${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<${FEATURES.join("<")}<`).digest("base64");

class Call {
  // o: {service, domain, room, password, mode, freq, badFingerprint, seconds, number, direction, out, log}
  constructor(o, onEnd) {
    this.o = o;
    this.onEnd = onEnd;
    this.nick = hex8();
    this.focusJid = `${o.room}/focus`;
    this.timings = { start: now() };
    this.jingle = [];      // every Jingle action received/sent: {t, dir, action, sources?}
    this.mutes = [];
    this.problems = [];
    this.results = [];
    this.discos = [];      // disco#info requests received: {t, from, node}
    this.removed = null;   // {t, codes, reason, destroy} if the room removed us
    this.ended = false;
  }

  async start() {
    const o = this.o;
    this.xmpp = await connectClient({ service: o.service, domain: o.domain, name: `call-${this.nick}`, log: o.log });
    this.timings.online = now();
    const c = this.xmpp;
    // The node of a caps query (XEP-0115 §6.2: "node#ver") is echoed, as Smack and jigasi-ng do.
    c.iqCallee.get(NS.DISCO_INFO, "query", (ctx) => {
      const node = ctx.element.attrs.node || null;
      this.discos.push({ t: now(), from: ctx.stanza.attrs.from, node });
      return xml("query", { xmlns: NS.DISCO_INFO, node }, xml("identity", IDENTITY), ...FEATURES.map((v) => xml("feature", { var: v })));
    });
    c.iqCallee.set(NS.JINGLE, "jingle", (ctx) => this.onJingleIq(ctx));
    c.iqCallee.set(NS.AUDIO_MUTE, "mute", (ctx) => this.onMute(ctx));
    c.iqCallee.set(NS.RAYO, "hangup", () => { setImmediate(() => this.hangup("success", "Rayo hangup")); return true; });
    c.on("stanza", (st) => {
      const jm = st.is("message") && st.getChild("json-message", NS.JITMEET);
      if (jm) this.jingle.push({ t: now(), dir: "in", action: "json-message", from: st.attrs.from, body: jm.text() });
      if (st.is("presence") && st.attrs.type === "unavailable" && this.occupantJid && st.attrs.from === this.occupantJid && !this.ended) this.onRemoved(st);
    });
    const res = await c.iqCaller.request(xml("iq", { type: "set", to: `focus.${o.domain}` },
      xml("conference", { xmlns: NS.FOCUS, room: o.room })), 10000);
    const conf = res.getChild("conference", NS.FOCUS);
    this.conference = Object.assign({ ready: conf.attrs.ready, focusjid: conf.attrs.focusjid },
      Object.fromEntries(conf.getChildren("property").map((p) => [p.attrs.name, p.attrs.value])));
    this.timings.conferenceIq = now();
    await joinMuc(c, o.room, this.nick, [
      xml("c", { xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: CAPS_NODE, ver: CAPS_VER }),
      xml("nick", { xmlns: NS.NICK }, o.number),
      xml("stat", { name: "version", value: "jigasi-ng e2e participant" }),
      xml("initiator", { xmlns: NS.JIGASI }, xml("header", { xmlns: NS.RAYO, name: "JigasiCallDirection", value: o.direction })),
      xml("features", {}, xml("feature", { var: NS.JIGASI }), xml("feature", { var: "urn:xmpp:jingle:dtmf:0" })),
      xml("audiomuted", {}, "false")], { password: o.password });
    this.timings.joined = now();
    this.occupantJid = `${o.room}/${this.nick}`;
  }

  onJingleIq(ctx) {
    const el = ctx.element, action = el.attrs.action;
    if (ctx.stanza.attrs.from !== this.focusJid) return xml("error", { type: "cancel" }, xml("forbidden", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    const content = el.getChild("content");
    const d = content && content.getChild("description", jingle.NS.RTP);
    const entry = { t: now(), dir: "in", action, sources: d ? jingle.parseDescription(d).sources : undefined };
    if (action === "session-terminate") { const r = el.getChild("reason"); entry.reason = r && r.children[0] ? r.children[0].name : null; }
    this.jingle.push(entry);
    // IQ result at once (Jicofo treats a slow reply as trouble, §4.1); the work happens after.
    setImmediate(() => this.handleJingle(action, el, entry).catch((e) => this.problems.push(`handling ${action} failed: ${e.message}`)));
    return true;
  }

  async handleJingle(action, el, entry) {
    const content = el.getChild("content");
    const d = content && content.getChild("description", jingle.NS.RTP);
    const t = content && jingle.parseTransport(content.getChild("transport", jingle.NS.ICE));
    if (action === "session-initiate") {
      this.sid = el.attrs.sid;
      this.timings.sessionInitiate = entry.t;
      this.peer = this.newPeer(0);
      const local = await this.peer.answer(jingle.parseDescription(d), t);
      await this.sendAnswer("session-accept", local);
    } else if (action === "transport-replace") {
      this.results.push(...this.peer.finish(this.o.out, this.analysisOpts()));
      this.peer = this.newPeer(this.peer.generation + 1);
      const local = await this.peer.answer(jingle.parseDescription(d), t);
      this.timings.transportAccept = now();
      await this.send("transport-accept", this.contentXml(local, true));
    } else if (action === "transport-info" && t) {
      await this.peer.addCandidates(t.candidates);
    } else if (action === "source-add") {
      await this.peer.addSources(entry.sources);
    } else if (action === "source-remove") {
      await this.peer.removeSources(entry.sources);
    } else if (action === "session-terminate") {
      await this.end(`session-terminate from focus (${entry.reason})`);
    }
  }

  newPeer(generation) {
    const p = new Peer({ freq: this.o.freq, nick: this.nick, generation, badFingerprint: this.o.badFingerprint });
    // Hang up when the transport fails, and (audio scenarios) N seconds after DTLS came up.
    const poll = setInterval(() => {
      if (this.ended || this.peer !== p) return clearInterval(poll);
      // The delay lets the bridge's own stats poll see the failure before the session ends;
      // on a loaded machine an instant hang-up closed its PeerConnection first.
      if (p.events.failed) { clearInterval(poll); setTimeout(() => this.hangup("failed-transport", "ICE or DTLS failed"), 1500); }
      if (p.events.dtlsConnected && this.o.seconds > 0 && generation === 0) {
        clearInterval(poll);
        setTimeout(() => this.hangup("success", "test finished"), this.o.seconds * 1000);
      }
    }, 50);
    return p;
  }

  contentXml(local, withCandidates) {
    const tr = Object.assign({}, local.transport, { candidates: withCandidates ? local.transport.candidates : [] });
    return xml("content", { creator: "initiator", name: "audio", senders: "both" },
      jingle.descriptionXml(local.description), jingle.transportXml(tr));
  }

  // mode full: everything in session-accept (what jigasi-ng should do, §4.2). trickle: the
  // candidates in a transport-info before session-accept (what Jigasi does); trickle-late: after.
  async sendAnswer(action, local) {
    const info = () => this.send("transport-info", xml("content", { creator: "initiator", name: "audio" },
      jingle.transportXml({ ufrag: local.transport.ufrag, pwd: local.transport.pwd, candidates: local.transport.candidates })));
    if (this.o.mode === "trickle") await info();
    this.timings.sessionAccept = now();
    await this.send(action, this.contentXml(local, this.o.mode === "full"));
    if (this.o.mode === "trickle-late") await info();
  }

  async send(action, ...children) {
    this.jingle.push({ t: now(), dir: "out", action });
    const attrs = { xmlns: NS.JINGLE, action, sid: this.sid };
    if (action === "session-accept") attrs.responder = this.xmpp.jid;
    try {
      await this.xmpp.iqCaller.request(xml("iq", { type: "set", to: this.focusJid }, xml("jingle", attrs, ...children)), 10000);
    } catch (e) {
      this.problems.push(`${action} was refused by the focus: ${e.condition || e.message}`);
    }
  }

  // Jigasi accepts the mute IQ only from the focus (§3.6).
  onMute(ctx) {
    const from = ctx.stanza.attrs.from;
    this.mutes.push({ t: now(), from, actor: ctx.element.attrs.actor, value: ctx.element.text() });
    if (from !== this.focusJid) return xml("error", { type: "cancel" }, xml("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    return true;
  }

  // Our own unavailable presence that we did not ask for: kicked (307), banned (301), removed by
  // an affiliation change (321, 322), or the room destroyed (<destroy>). No session-terminate:
  // room/focus is out of reach once we are out of the room.
  onRemoved(st) {
    const x = st.getChild("x", NS.MUC_USER);
    const item = x && x.getChild("item"), destroy = x && x.getChild("destroy");
    this.removed = { t: now(), codes: x ? x.getChildren("status").map((c) => Number(c.attrs.code)) : [],
      reason: item && item.getChild("reason") ? item.getChild("reason").text() : null,
      destroy: destroy ? { reason: destroy.getChild("reason") ? destroy.getChild("reason").text() : null } : null };
    const why = this.removed.destroy ? `room destroyed (${this.removed.destroy.reason})`
      : this.removed.codes.includes(307) ? `kicked (307: ${this.removed.reason})` : `removed from the room (status ${this.removed.codes.join(",")})`;
    this.end(why).catch(() => {});
  }

  async hangup(reason, text) {
    if (this.ended) return;
    if (this.sid) await this.send("session-terminate", xml("reason", {}, xml(reason), xml("text", {}, text)));
    await this.end(`hung up: ${text}`);
  }

  analysisOpts() { return { skipMs: 1000, maxGapMs: 60, minSeconds: 1 }; }

  async end(why) {
    if (this.ended) return;
    this.ended = true;
    this.endReason = why;
    this.timings.ended = now();
    if (this.peer) this.results.push(...this.peer.finish(this.o.out, this.analysisOpts()));
    if (!this.removed) await this.xmpp.send(xml("presence", { to: this.occupantJid, type: "unavailable" })).catch(() => {});
    await Promise.race([this.xmpp.stop().catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    this.onEnd(this);
  }

  report() {
    const p = this.peer;
    return {
      nick: this.nick, room: this.o.room, mode: this.o.mode, badFingerprint: this.o.badFingerprint, conference: this.conference,
      timings: Object.assign({}, this.timings, p ? { iceConnected: p.events.iceConnected, dtlsConnected: p.events.dtlsConnected, failed: p.events.failed } : {}),
      states: p ? p.states : [], jingle: this.jingle, mutes: this.mutes, discos: this.discos, removed: this.removed, endReason: this.endReason,
      audio: this.results, problems: this.problems,
    };
  }
}

module.exports = { Call };
