// The Jicofo half of the stand-in: focus@auth client in the brewery and the conference rooms
// (nick "focus", owner through Prosody's admins), the focus.<domain> component that answers the
// conference IQ (jitsi-protocol.md §3.2), one Session per occupant that joins a room, and the
// non-Jingle actions: Rayo dial/hangup (§1.2, §1.4, §2), AV moderation and lobby changes (§3.5,
// §3.6).
"use strict";
const { NS, xml, now, StanzaLog, connectClient, connectComponent, joinMuc } = require("./xmpp");
const { Session } = require("./session");
const path = require("path");

class Focus {
  // opts: {service, componentService, domain, authDomain, password, componentSecret, brewery,
  //        mucDomain, callcontrol, tones, spare, expect, out}
  constructor(opts) {
    this.opts = opts;
    this.log = new StanzaLog(path.join(opts.out, "standin-stanzas.jsonl"));
    this.rooms = new Map();      // bare room JID -> Map(nick -> occupant)
    this.sessions = [];
    this.brewery = new Map();    // nick -> {stats}
    this.dials = [];
    this.messages = [];
  }

  note(msg) { console.log(`${String(now()).padStart(6)} ms  ${msg}`); }

  async start() {
    const o = this.opts;
    [this.client, this.component] = await Promise.all([
      connectClient({ service: o.service, domain: o.authDomain, username: "focus", password: o.password, resource: "focus", name: "focus", log: this.log }),
      connectComponent({ service: o.componentService, domain: `focus.${o.domain}`, password: o.componentSecret, name: "focus-component", log: this.log }),
    ]);
    this.note(`online as ${this.client.jid} and component focus.${o.domain}`);
    this.component.iqCallee.set(NS.FOCUS, "conference", (ctx) => this.onConferenceIq(ctx));
    this.client.iqCallee.set(NS.JINGLE, "jingle", (ctx) => this.onJingle(ctx));
    this.client.on("stanza", (st) => { if (st.is("presence")) this.onPresence(st); });
    await joinMuc(this.client, o.brewery, "focus");
    this.note(`joined the brewery ${o.brewery}`);
  }

  // §3.2: the participant asks focus.<domain> for the room before joining it. Jicofo answers
  // once the conference exists, i.e. after the focus is in the room (so the focus is its owner).
  async onConferenceIq(ctx) {
    const room = ctx.element.attrs.room;
    if (!room || !room.endsWith(`@${this.opts.mucDomain}`)) return xml("error", { type: "modify" }, xml("bad-request", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    await this.joinRoom(room);
    return xml("conference", { xmlns: NS.FOCUS, room, ready: "true", focusjid: `focus@${this.opts.authDomain}` },
      xml("property", { name: "authentication", value: "false" }),
      xml("property", { name: "sipGatewayEnabled", value: "true" }),
      xml("property", { name: "visitors-supported", value: "false" }));
  }

  async joinRoom(room) {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, new Map());
    await joinMuc(this.client, room, "focus");
    this.note(`joined ${room} as focus`);
  }

  onPresence(st) {
    const [bare, nick] = st.attrs.from.split("/");
    if (bare === this.opts.brewery) return this.onBreweryPresence(st, nick);
    const occupants = this.rooms.get(bare);
    if (!occupants || !nick || nick === "focus") return;
    if (st.attrs.type === "unavailable") {
      occupants.delete(nick);
      for (const s of this.sessions) if (s.room === bare && s.occupant.nick === nick && !s.ended) { s.left = now(); s.end(); }
      return;
    }
    if (st.attrs.type || occupants.has(nick)) return;
    const item = st.getChild("x", NS.MUC_USER) && st.getChild("x", NS.MUC_USER).getChild("item");
    const occupant = { nick, jid: st.attrs.from, realJid: item && item.attrs.jid, features: (st.getChild("features") || { getChildren: () => [] }).getChildren("feature").map((f) => f.attrs.var) };
    occupants.set(nick, occupant);
    this.note(`${st.attrs.from} joined (${occupant.realJid}); sending session-initiate`);
    // Unlike Jicofo (min 2 participants), every occupant gets a session at once: the simulated
    // web participants live on the bridge, not in the MUC.
    const session = new Session(this, bare, occupant, now());
    this.sessions.push(session);
    session.start().catch((e) => session.problems.push(`session-initiate to ${nick} failed: ${e.message}`));
  }

  onBreweryPresence(st, nick) {
    if (nick === "focus") return;
    if (st.attrs.type === "unavailable") { this.brewery.delete(nick); return; }
    const stats = {};
    const el = st.getChild("stats", NS.COLIBRI);
    if (el) for (const s of el.getChildren("stat")) stats[s.attrs.name] = s.attrs.value;
    this.brewery.set(nick, stats);
  }

  onJingle(ctx) {
    const session = this.sessions.find((s) => s.occupant.jid === ctx.stanza.attrs.from && s.sid === ctx.element.attrs.sid);
    if (!session) return xml("error", { type: "cancel" }, xml("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"));
    this.note(`${ctx.element.attrs.action} from ${session.occupant.nick}`);
    setImmediate(() => session.onJingle(ctx.element)); // result first, work after (§4.1 notes)
    return true;
  }

  // The latest live session, or the one with the given endpoint (nick).
  session(endpoint) {
    const live = this.sessions.filter((s) => !s.ended && (!endpoint || s.occupant.nick === endpoint));
    if (!live.length) throw new Error(endpoint ? `no live session with ${endpoint}` : "no live session");
    return live[live.length - 1];
  }

  // Rayo dial (§2.1). target "brewery": like Jicofo (§1.2), to the SIP-capable brewery occupant
  // with the fewest participants, sent from the brewery as focus; "component": legacy (§1.4), to
  // callcontrol.<domain> from the focus' own JID.
  async dial({ to = "+15551234567", room, target = "brewery", headers = {} }) {
    let dest;
    if (target === "component") dest = this.opts.callcontrol;
    else {
      const candidates = [...this.brewery].filter(([, s]) => s.supports_sip === "true" && s.graceful_shutdown !== "true");
      if (!candidates.length) throw new Error(`no SIP-capable Jigasi in ${this.opts.brewery} (occupants: ${[...this.brewery.keys()].join(", ") || "none"})`);
      candidates.sort((a, b) => Number(a[1].participants || 0) - Number(b[1].participants || 0));
      dest = `${this.opts.brewery}/${candidates[0][0]}`;
    }
    const entry = { target, to: dest, number: to, room, sentMs: now() };
    this.dials.push(entry);
    const hdrs = Object.assign({ JvbRoomName: room }, headers);
    try {
      const res = await this.client.iqCaller.request(xml("iq", { type: "set", to: dest },
        xml("dial", { xmlns: NS.RAYO, to, from: "fromnumber" },
          ...Object.entries(hdrs).map(([name, value]) => xml("header", { name, value })))), 15000);
      const ref = res.getChild("ref", NS.RAYO);
      Object.assign(entry, { resultMs: now(), result: "result", ref: ref ? ref.attrs.uri : null });
    } catch (e) {
      Object.assign(entry, { resultMs: now(), result: "error", error: e.condition || e.message });
    }
    return entry;
  }

  // Rayo hangup (§2.3) to the call resource a dial returned ("xmpp:" stripped as lib-jitsi-meet does).
  async hangup({ to }) {
    const dest = to.replace(/^xmpp:/, "");
    const entry = { target: "hangup", to: dest, sentMs: now() };
    this.dials.push(entry);
    try {
      await this.client.iqCaller.request(xml("iq", { type: "set", to: dest }, xml("hangup", { xmlns: NS.RAYO })), 10000);
      Object.assign(entry, { resultMs: now(), result: "result" });
    } catch (e) {
      Object.assign(entry, { resultMs: now(), result: "error", error: e.condition || e.message });
    }
    return entry;
  }

  // AV moderation (§3.6). Real messages come from the av_moderation component; here they come
  // from focus.<domain> (the only component the stand-in owns), straight to the real JID.
  avModeration(endpoint, payload) {
    const s = this.session(endpoint);
    const body = Object.assign({ type: "av_moderation", mediaType: "audio" }, payload);
    this.component.send(xml("message", { to: s.occupant.realJid, from: `focus.${this.opts.domain}`, type: "normal" },
      xml("json-message", { xmlns: NS.JITMEET }, JSON.stringify(body))));
    this.messages.push({ t: now(), to: s.occupant.realJid, body });
    return body;
  }

  // Lobby, as far as plain Prosody allows: mod_muc_lobby_rooms is not in Debian, so "lobby on"
  // is the room made members-only (XEP-0045 §10.2); occupants get status 104 (config changed).
  // Like Jitsi's lobby module, occupants already inside become members first, since a room that
  // turns members-only removes every non-member (XEP-0045 §9.4, status 322).
  async lobby({ room, enabled }) {
    if (!this.rooms.has(room)) throw new Error(`the focus is not in ${room}`);
    if (enabled) {
      const items = [...this.rooms.get(room).values()].filter((o) => o.realJid)
        .map((o) => xml("item", { affiliation: "member", jid: o.realJid.split("/")[0] }));
      if (items.length) await this.client.iqCaller.request(xml("iq", { type: "set", to: room },
        xml("query", { xmlns: "http://jabber.org/protocol/muc#admin" }, ...items)), 10000);
    }
    const field = (v, value) => xml("field", { var: v }, xml("value", {}, value));
    const res = await this.client.iqCaller.request(xml("iq", { type: "set", to: room },
      xml("query", { xmlns: "http://jabber.org/protocol/muc#owner" },
        xml("x", { xmlns: "jabber:x:data", type: "submit" },
          field("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
          field("muc#roomconfig_membersonly", enabled ? "1" : "0")))), 10000);
    const entry = { t: now(), room, membersOnly: !!enabled, result: res.attrs.type };
    this.messages.push(entry);
    return entry;
  }

  state() {
    return {
      t: now(), rooms: Object.fromEntries([...this.rooms].map(([r, occ]) => [r, [...occ.keys()]])),
      brewery: Object.fromEntries(this.brewery),
      sessions: this.sessions.map((s) => ({ room: s.room, endpoint: s.occupant.nick, ended: s.ended,
        accepted: !!s.accepted, iceConnected: s.bridge && s.bridge.events.iceConnected, dtlsConnected: s.bridge && s.bridge.events.dtlsConnected,
        firstAudio: s.bridge && s.firstAudio(), generation: s.bridge && s.bridge.generation, transportAccept: s.timings.transportAccept,
        failed: s.bridge && s.bridge.events.failed })),
      dials: this.dials,
    };
  }

  async stop() {
    for (const s of this.sessions) s.end();
    await Promise.race([Promise.allSettled([this.client.stop(), this.component.stop()]), new Promise((r) => setTimeout(r, 1000))]);
  }
}

module.exports = { Focus };
