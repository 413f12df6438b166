// The Jicofo half of the stand-in: focus@auth client in the brewery and the conference rooms
// (nick "focus", owner through Prosody's admins), the focus.<domain> component that answers the
// conference IQ (jitsi-protocol.md §3.2), one Session per occupant that joins a room, and the
// non-Jingle actions: Rayo dial/hangup (§1.2, §1.4, §2), AV moderation and lobby changes (§3.5,
// §3.6), and the room administration a moderator or owner does (XEP-0045: password lock, kick,
// destroy), including the lobby as a Jitsi moderator's client runs it (members-only on/off, watching
// the lobby room, admitting by invitation, denying by a kick from the lobby). Like Jicofo, it asks
// every new occupant for its disco#info (XEP-0030, through the MUC, with the XEP-0115 caps node)
// and waits for the answer (at most DISCO_WAIT_MS) before offering.
"use strict";
const { NS, xml, now, StanzaLog, connectClient, connectComponent, joinMuc, hex8 } = require("./xmpp");
const { Session } = require("./session");
const path = require("path");
const crypto = require("crypto");

const DISCO_WAIT_MS = 2000;
const textOf = (el) => (el ? el.text() : null);
const boolOf = (el) => (el ? el.text().trim() === "true" : null);

// What an occupant's presence says (jitsi-protocol.md §3.3 and lib-jitsi-meet's presence
// extensions); element names are matched in any namespace, as Jicofo does.
function presenceDetails(st, x) {
  const item = x && x.getChild("item");
  const caps = st.getChild("c", NS.CAPS);
  const features = st.getChild("features");
  return {
    displayNick: textOf(st.getChild("nick", NS.NICK)),
    features: features ? features.getChildren("feature").map((f) => f.attrs.var) : [],
    audiomuted: boolOf(st.getChild("audiomuted")),
    videomuted: boolOf(st.getChild("videomuted")),
    statsId: textOf(st.getChild("stats-id")),
    region: textOf(st.getChild("jitsi_participant_region")),
    caps: caps ? { node: caps.attrs.node || null, ver: caps.attrs.ver || null, hash: caps.attrs.hash || null } : null,
    raisedHand: textOf(st.getChild("jitsi_participant_raisedHand")),
    status: textOf(st.getChild("status")),
    show: textOf(st.getChild("show")),
    role: item ? item.attrs.role || null : null,
    affiliation: item ? item.attrs.affiliation || null : null,
    realJid: item && item.attrs.jid ? item.attrs.jid : null,
  };
}

// Why an occupant (or the focus) left: the MUC status codes (307 kicked, 301 banned, 321/322
// affiliation/members-only, 332 shutdown, 303 nick change), the item's reason and actor, the
// <status> text, and <destroy> when the room was destroyed (XEP-0045 §10.9).
function leaveDetails(st, x) {
  const item = x && x.getChild("item");
  const destroy = x && x.getChild("destroy");
  return {
    codes: x ? x.getChildren("status").map((c) => Number(c.attrs.code)) : [],
    status: textOf(st.getChild("status")),
    reason: item ? textOf(item.getChild("reason")) : null,
    actor: item && item.getChild("actor") ? item.getChild("actor").attrs.nick || item.getChild("actor").attrs.jid || null : null,
    destroy: destroy ? { reason: textOf(destroy.getChild("reason")), jid: destroy.attrs.jid || null } : null,
  };
}

// XEP-0045 §8.2: a moderator sets the occupant's role to none.
const kickIq = (room, nick, reason) => xml("iq", { type: "set", to: room }, xml("query", { xmlns: NS.MUC_ADMIN },
  xml("item", { nick, role: "none" }, reason ? xml("reason", {}, reason) : null)));

// An IQ failure as one word or phrase: the stanza error condition, "timeout", or the message.
const stanzaError = (e) => e.condition || (e.name === "TimeoutError" ? "timeout" : e.message || e.name);

// XEP-0115 §5.1 verification string of a disco#info answer (identities and features only; an
// answer with XEP-0128 forms is not covered), hashed with sha-1.
function capsVer(identities, features) {
  const ids = identities.map((i) => `${i.category}/${i.type}/${i.lang || ""}/${i.name || ""}`).sort();
  const s = ids.map((i) => i + "<").join("") + [...new Set(features)].sort().map((f) => f + "<").join("");
  return crypto.createHash("sha1").update(s, "utf8").digest("base64");
}

class Focus {
  // opts: {service, componentService, domain, authDomain, password, componentSecret, brewery,
  //        mucDomain, callcontrol, tones, spare, expect, out}
  constructor(opts) {
    this.opts = opts;
    this.log = new StanzaLog(path.join(opts.out, "standin-stanzas.jsonl"));
    this.rooms = new Map();      // bare room JID -> room (see room()); occupants stay listed after they left
    this.sessions = [];
    this.brewery = new Map();    // nick -> {stats}
    this.dials = [];
    this.messages = [];          // AV moderation, lobby (and admit, deny), lock, kick, destroy
    this.lobbies = new Map();    // lobby room JID -> the main room's entry
  }

  room(jid) {
    let r = this.rooms.get(jid);
    if (!r) {
      r = { jid, inRoom: false, joining: null, joinedMs: null, leftMs: null, left: null, password: null, locked: false,
        destroyed: null, occupants: new Map(),
        lobby: null,                 // {jid, inRoom, joinedMs, leftMs, left, destroyed} of the latest lobby
        lobbyOccupants: new Map() }; // nick -> knocker, over every lobby of the room
      this.rooms.set(jid, r);
    }
    return r;
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

  // The focus joins (or creates: restrict_room_creation is off) the room once; concurrent callers
  // wait for the same join. After the room was destroyed it joins (creates) it again. The room
  // password set with lock() is given on the join.
  async joinRoom(jid) {
    const r = this.room(jid);
    if (r.inRoom) return r;
    if (!r.joining) {
      r.joining = joinMuc(this.client, jid, "focus", [], { password: r.password })
        .then(() => { Object.assign(r, { inRoom: true, joinedMs: now(), leftMs: null, left: null }); this.note(`joined ${jid} as focus`); })
        .finally(() => { r.joining = null; });
    }
    await r.joining;
    return r;
  }

  onPresence(st) {
    const from = st.attrs.from || "";
    const slash = from.indexOf("/");
    const bare = slash < 0 ? from : from.slice(0, slash), nick = slash < 0 ? "" : from.slice(slash + 1);
    if (bare === this.opts.brewery) return this.onBreweryPresence(st, nick);
    const type = st.attrs.type;
    if (this.lobbies.has(bare)) return this.onLobbyPresence(this.lobbies.get(bare), st, nick);
    const r = this.rooms.get(bare);
    if (!r || !nick || (type && type !== "unavailable")) return;
    const x = st.getChild("x", NS.MUC_USER);
    if (nick === "focus") return type === "unavailable" ? this.onFocusLeft(r, leaveDetails(st, x)) : undefined;
    let occ = r.occupants.get(nick);
    if (type === "unavailable") {
      if (!occ || occ.left !== null) return;
      this.occupantLeft(r, occ, leaveDetails(st, x));
      return;
    }
    const fresh = !occ || occ.left !== null;
    if (fresh) {
      occ = { nick, jid: from, joined: now(), left: null, leftStatus: null, presences: 0, disco: null };
      r.occupants.set(nick, occ);
    }
    Object.assign(occ, presenceDetails(st, x));
    occ.presences++;
    if (!fresh) return;
    this.note(`${from} joined (${occ.realJid}); disco#info, then session-initiate`);
    this.maybeStart(r, occ);
  }

  // Jicofo's conference.min-participants (2 by default there, 1 here unless POST /min-participants
  // says otherwise): no session for anyone until that many occupants (the focus aside) are in.
  maybeStart(r, occ) {
    occ.waiting = true;
    const present = [...r.occupants.values()].filter((o) => o.left === null);
    if (present.length < (this.minParticipants || 1)) {
      this.note(`${occ.nick} waits for a session: ${present.length} of ${this.minParticipants} participants in ${r.jid}`);
      return;
    }
    for (const o of present) {
      if (!o.waiting) continue;
      o.waiting = false;
      this.startParticipant(r, o).catch((e) => this.note(`starting a session with ${o.nick} failed: ${e.stack || e.message}`));
    }
  }

  occupantLeft(r, occ, details) {
    occ.left = now();
    occ.leftStatus = details;
    occ.role = "none";
    this.note(`${occ.jid} left${details.codes.length ? " (status " + details.codes.join(",") + ")" : ""}${details.reason ? ": " + details.reason : ""}`);
    for (const s of this.sessions) if (s.room === r.jid && s.occupant === occ && !s.ended) { s.left = occ.left; s.end(); }
  }

  // The focus' own unavailable presence (the room was destroyed). Prosody
  // sends the other occupants' unavailable presences of a destroy only to themselves, so they
  // are marked as gone here (leftStatus.seen false: inferred, not received).
  onFocusLeft(r, details) {
    Object.assign(r, { inRoom: false, leftMs: now(), left: details });
    // A destroyed room is gone with its password: a later join creates a new, open room.
    if (details.destroy) Object.assign(r, { destroyed: Object.assign({ t: now() }, details.destroy), password: null, locked: false });
    this.note(`focus left ${r.jid}${details.destroy ? " (room destroyed)" : ""} ${JSON.stringify(details.codes)}`);
    for (const occ of r.occupants.values()) if (occ.left === null) this.occupantLeft(r, occ, Object.assign({}, details, { seen: false }));
  }

  // As Jicofo: disco#info to the occupant (answered by its client through the MUC), then the
  // offer. Jicofo needs the features to choose the media; the stand-in only records them and
  // offers audio whatever they say. Unlike Jicofo (min 2 participants), every occupant gets a
  // session: the simulated web participants live on the bridge, not in the MUC.
  async startParticipant(r, occ) {
    const disco = this.discoOccupant(occ);
    let timer;
    await Promise.race([disco, new Promise((res) => { timer = setTimeout(res, DISCO_WAIT_MS); })]);
    clearTimeout(timer);
    if (occ.left !== null) return this.note(`${occ.nick} left before the offer; no session`);
    if (occ.disco.pending) this.note(`no disco#info answer from ${occ.nick} within ${DISCO_WAIT_MS} ms; offering anyway`);
    const session = new Session(this, r.jid, occ, occ.joined);
    session.timings.disco = occ.disco.pending ? null : occ.disco.at;
    this.sessions.push(session);
    session.start().catch((e) => session.problems.push(`session-initiate to ${occ.nick} failed: ${e.message}`));
  }

  // XEP-0030 disco#info to room/nick, with node "node#ver" of its XEP-0115 caps (XEP-0115 §6.2)
  // if its presence has them. Records {features, identities, node (as echoed), error?, sentMs,
  // at, ms (round trip)}; never rejects.
  async discoOccupant(occ) {
    const c = occ.caps;
    const node = c && c.node && c.ver ? `${c.node}#${c.ver}` : null;
    const d = occ.disco = { pending: true, requestedNode: node, sentMs: now() };
    try {
      const res = await this.client.iqCaller.request(xml("iq", { type: "get", to: occ.jid },
        xml("query", { xmlns: NS.DISCO_INFO, node })), 10000);
      const q = res.getChild("query", NS.DISCO_INFO);
      d.node = q ? q.attrs.node || null : null;
      d.identities = q ? q.getChildren("identity").map((i) => ({ category: i.attrs.category, type: i.attrs.type, name: i.attrs.name || null,
        lang: i.attrs["xml:lang"] || null })) : [];
      d.features = q ? q.getChildren("feature").map((f) => f.attrs.var) : [];
      // Like Smack's caps cache in Jicofo: the answer must hash to the ver of the presence.
      if (c && c.ver && (c.hash || "").toLowerCase() === "sha-1") d.capsVerified = capsVer(d.identities, d.features) === c.ver;
    } catch (e) {
      Object.assign(d, { node: null, identities: [], features: [], error: stanzaError(e) });
    }
    Object.assign(d, { pending: false, at: now() });
    d.ms = d.at - d.sentMs;
    this.note(`disco#info of ${occ.nick}: ${d.error ? "error " + d.error : d.features.length + " features"} in ${d.ms} ms` +
      (d.capsVerified === undefined ? "" : d.capsVerified ? " (caps hash ok)" : " (caps hash MISMATCH)"));
    return d;
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

  // Lobby (§3.5) as a Jitsi moderator's client turns it on and off: the owner form field
  // muc#roomconfig_membersonly (XEP-0045 §10.2). Prosody's mod_bench_lobby does the rest (existing
  // occupants made members, lobby room created; or the lobby room destroyed with this room as the
  // venue). When on, the focus reads the lobby room from the room's disco#info
  // (muc#roominfo_lobbyroom, as lib-jitsi-meet does) and joins it, as moderators do, to see who
  // knocks. → {what: "lobby", room, enabled, membersOnly, lobbyRoom, lobbyJoined, result, error?, ...}
  async lobby({ room, enabled }) {
    const r = this.rooms.get(room);
    if (!r || !r.inRoom) throw new Error(`the focus is not in ${room}`);
    const entry = { what: "lobby", room, enabled: !!enabled, membersOnly: !!enabled, lobbyRoom: null, lobbyJoined: false };
    const field = (v, value) => xml("field", { var: v }, xml("value", {}, value));
    await this.adminIq(entry, xml("iq", { type: "set", to: room }, xml("query", { xmlns: NS.MUC_OWNER },
      xml("x", { xmlns: NS.DATA, type: "submit" },
        field("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
        field("muc#roomconfig_membersonly", enabled ? "1" : "0")))));
    if (entry.result !== "result") return entry;
    try {
      const info = await this.client.iqCaller.request(xml("iq", { type: "get", to: room }, xml("query", { xmlns: NS.DISCO_INFO })), 10000);
      const form = info.getChild("query", NS.DISCO_INFO).getChild("x", NS.DATA);
      const f = form && form.getChildren("field").find((x) => x.attrs.var === "muc#roominfo_lobbyroom");
      entry.lobbyRoom = f ? textOf(f.getChild("value")) : null;
    } catch (e) {
      return Object.assign(entry, { result: "error", error: `disco#info of ${room}: ${stanzaError(e)}` });
    }
    if (!enabled) return entry;
    if (!entry.lobbyRoom) return Object.assign(entry, { result: "error", error: `${room} is members-only but its disco#info names no muc#roominfo_lobbyroom` });
    if (!r.lobby || r.lobby.jid !== entry.lobbyRoom || !r.lobby.inRoom) {
      r.lobby = { jid: entry.lobbyRoom, inRoom: false, joinedMs: null, leftMs: null, left: null, destroyed: null };
      this.lobbies.set(entry.lobbyRoom, r);
      try {
        await joinMuc(this.client, entry.lobbyRoom, "focus");
      } catch (e) {
        return Object.assign(entry, { result: "error", error: e.message });
      }
      Object.assign(r.lobby, { inRoom: true, joinedMs: now() });
      this.note(`joined the lobby ${entry.lobbyRoom} as focus`);
    }
    entry.lobbyJoined = true;
    return entry;
  }

  // Presence from a lobby room the focus joined: knockers arriving and leaving (kicked: 307), and
  // the focus' own departure (the lobby destroyed: <destroy jid=venue>, XEP-0045 §10.9). As in a
  // destroyed room, the others' unavailable presences of a destroy go only to themselves.
  onLobbyPresence(r, st, nick) {
    const type = st.attrs.type;
    if (!nick || (type && type !== "unavailable")) return;
    const x = st.getChild("x", NS.MUC_USER);
    const L = r.lobby;
    if (nick === "focus") {
      if (type !== "unavailable" || !L) return;
      const details = leaveDetails(st, x);
      Object.assign(L, { inRoom: false, leftMs: now(), left: details, destroyed: details.destroy ? Object.assign({ t: now() }, details.destroy) : null });
      this.note(`focus left the lobby ${L.jid}${details.destroy ? ` (destroyed, venue ${details.destroy.jid || "none"})` : ""}`);
      for (const k of r.lobbyOccupants.values()) {
        if (k.left === null) Object.assign(k, { left: now(), leftStatus: Object.assign({}, details, { seen: false }) });
      }
      return;
    }
    let k = r.lobbyOccupants.get(nick);
    if (type === "unavailable") {
      if (!k || k.left !== null) return;
      Object.assign(k, { left: now(), leftStatus: leaveDetails(st, x) });
      this.note(`${st.attrs.from} left the lobby${k.leftStatus.codes.length ? " (status " + k.leftStatus.codes.join(",") + ")" : ""}`);
      return;
    }
    if (!k || k.left !== null) {
      k = { nick, occupantJid: st.attrs.from, lobbyRoom: L ? L.jid : null, joinedMs: now(), left: null, leftStatus: null, admitted: null, denied: null };
      r.lobbyOccupants.set(nick, k);
      this.note(`${st.attrs.from} knocks (lobby of ${r.jid})`);
    }
    const d = presenceDetails(st, x);
    Object.assign(k, { jid: d.realJid, displayNick: d.displayNick, role: d.role, affiliation: d.affiliation });
  }

  // The present knocker with MUC nick `nick` in the lobby of room; throws (HTTP 409) otherwise.
  knocker(room, nick) {
    const r = this.rooms.get(room);
    if (!r || !r.lobby || !r.lobby.inRoom) throw new Error(`the focus is not in a lobby of ${room}`);
    if (!nick) throw new Error("nick is required");
    const k = r.lobbyOccupants.get(nick);
    if (!k || k.left !== null) throw new Error(`no ${nick} in the lobby ${r.lobby.jid}`);
    return { r, k };
  }

  // Admission as lib-jitsi-meet's Lobby.approveAccess does it: a mediated invitation (XEP-0045
  // §7.8.2) to the knocker's real JID, sent to the main room, which Prosody forwards from the room
  // JID and, the room being members-only, answers by making the invitee a member. The member list
  // (§9.5) is read right after: Prosody handles one stream's stanzas in order, so it shows the
  // invitation's effect, and an error the invitation drew has arrived before it.
  // → {what: "admit", room, nick, jid, inviteMs, member, inviteError?, result, error?, sentMs, resultMs}
  async lobbyAdmit({ room, nick }) {
    const { k } = this.knocker(room, nick);
    if (!k.jid) throw new Error(`the lobby shows no real JID for ${nick}`);
    const entry = { what: "admit", room, nick, jid: k.jid, inviteMs: now(), member: null };
    const id = `invite-${hex8()}`;
    const onError = (st) => {
      if (st.is("message") && st.attrs.type === "error" && st.attrs.id === id) {
        const err = st.getChild("error");
        const cond = err && err.children.find((c) => c.attrs && c.attrs.xmlns === "urn:ietf:params:xml:ns:xmpp-stanzas");
        entry.inviteError = cond ? cond.name : "error";
      }
    };
    this.client.on("stanza", onError);
    try {
      await this.client.send(xml("message", { to: room, id }, xml("x", { xmlns: NS.MUC_USER }, xml("invite", { to: k.jid }))));
      const res = await this.adminIq(entry, xml("iq", { type: "get", to: room },
        xml("query", { xmlns: NS.MUC_ADMIN }, xml("item", { affiliation: "member" }))));
      if (res) {
        const bare = k.jid.split("/")[0];
        entry.member = res.getChild("query", NS.MUC_ADMIN).getChildren("item").some((i) => i.attrs.jid === bare);
      }
    } finally {
      this.client.removeListener("stanza", onError);
    }
    if (entry.inviteError) Object.assign(entry, { result: "error", error: entry.inviteError });
    k.admitted = entry.inviteMs;
    return entry;
  }

  // Rejection as lib-jitsi-meet's Lobby.denyAccess: a kick from the lobby room (XEP-0045 §8.2).
  // → {what: "deny", room, lobbyRoom, nick, reason, result, error?, sentMs, resultMs}
  async lobbyDeny({ room, nick, reason }) {
    const { r, k } = this.knocker(room, nick);
    const entry = { what: "deny", room, lobbyRoom: r.lobby.jid, nick, reason: reason || null };
    k.denied = now();
    await this.adminIq(entry, kickIq(r.lobby.jid, nick, reason));
    return entry;
  }

  // An IQ from the focus' client, recorded in this.messages as {what, ..., sentMs, resultMs,
  // result, error?}; an error answer is an outcome (HTTP 200), not an exception.
  async adminIq(entry, iq) {
    Object.assign(entry, { sentMs: now() });
    if (!this.messages.includes(entry)) this.messages.push(entry);
    try {
      const res = await this.client.iqCaller.request(iq, 10000);
      Object.assign(entry, { resultMs: now(), result: res.attrs.type });
      return res;
    } catch (e) {
      Object.assign(entry, { resultMs: now(), result: "error", error: stanzaError(e) });
      return null;
    }
  }

  // Room password (XEP-0045 §10.2), as lib-jitsi-meet's ChatRoom.lockRoom does it for a
  // moderator: get the owner config form, and if it has muc#roomconfig_roomsecret, submit
  // roomsecret + passwordprotectedroom (+ whois anyone, lib-jitsi-meet's Prosody 0.9 workaround).
  // "" unlocks. The focus joins (creates) the room first if it is not in it. "locked" is what
  // the room's disco#info says afterwards (muc_passwordprotected).
  async lock({ room, password = "" }) {
    if (!room) throw new Error("room is required");
    const r = await this.joinRoom(room);
    password = password === null ? "" : String(password);
    const entry = { what: "lock", room, password, locked: null };
    const owner = (...c) => xml("iq", { type: c.length ? "set" : "get", to: room }, xml("query", { xmlns: NS.MUC_OWNER }, ...c));
    const form = await this.adminIq(entry, owner());
    if (form) {
      const x = form.getChild("query", NS.MUC_OWNER) && form.getChild("query", NS.MUC_OWNER).getChild("x", NS.DATA);
      const vars = x ? x.getChildren("field").map((f) => f.attrs.var) : [];
      if (!vars.includes("muc#roomconfig_roomsecret")) Object.assign(entry, { result: "error", error: `the room config form has no muc#roomconfig_roomsecret (fields: ${vars.join(", ")})` });
      else {
        const field = (v, value) => xml("field", { var: v }, xml("value", {}, value));
        await this.adminIq(entry, owner(xml("x", { xmlns: NS.DATA, type: "submit" },
          field("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
          field("muc#roomconfig_roomsecret", password),
          field("muc#roomconfig_passwordprotectedroom", password ? "1" : "0"),
          field("muc#roomconfig_whois", "anyone"))));
        if (entry.result === "result") r.password = password || null;
      }
    }
    try {
      const info = await this.client.iqCaller.request(xml("iq", { type: "get", to: room }, xml("query", { xmlns: NS.DISCO_INFO })), 10000);
      const features = info.getChild("query", NS.DISCO_INFO).getChildren("feature").map((f) => f.attrs.var);
      entry.locked = r.locked = features.includes("muc_passwordprotected");
    } catch (e) {
      entry.lockedError = stanzaError(e);
    }
    return entry;
  }

  // Kick (XEP-0045 §8.2): the focus as moderator sets the occupant's role to none.
  async kick({ room, nick, reason }) {
    const r = this.rooms.get(room);
    if (!r || !r.inRoom) throw new Error(`the focus is not in ${room}`);
    if (!nick) throw new Error("nick is required");
    const entry = { what: "kick", room, nick, reason: reason || null };
    await this.adminIq(entry, kickIq(room, nick, reason));
    return entry;
  }

  // Destroy (XEP-0045 §10.9) by the owner; every occupant gets an unavailable presence with
  // <destroy>. The focus does not need to be in the room (it owns every room as a Prosody admin).
  async destroy({ room, reason }) {
    if (!room) throw new Error("room is required");
    const entry = { what: "destroy", room, reason: reason || null };
    await this.adminIq(entry, xml("iq", { type: "set", to: room }, xml("query", { xmlns: NS.MUC_OWNER },
      xml("destroy", {}, reason ? xml("reason", {}, reason) : null))));
    return entry;
  }

  state() {
    return {
      t: now(),
      rooms: Object.fromEntries([...this.rooms].map(([jid, r]) => [jid, [...r.occupants.values()].filter((o) => o.left === null).map((o) => o.nick)])),
      roomInfo: Object.fromEntries([...this.rooms].map(([jid, r]) => [jid, { focus: r.inRoom ? "in" : "out", joinedMs: r.joinedMs,
        leftMs: r.leftMs, left: r.left, locked: r.locked, destroyed: r.destroyed,
        lobby: r.lobby && { jid: r.lobby.jid, focus: r.lobby.inRoom ? "in" : "out", joinedMs: r.lobby.joinedMs, leftMs: r.lobby.leftMs,
          destroyed: r.lobby.destroyed } }])),
      lobby: Object.fromEntries([...this.rooms].filter(([, r]) => r.lobby).map(([jid, r]) => [jid, [...r.lobbyOccupants.values()].map((k) => ({
        nick: k.nick, jid: k.jid, displayNick: k.displayNick, occupantJid: k.occupantJid, lobbyRoom: k.lobbyRoom, role: k.role,
        joinedMs: k.joinedMs, left: k.left, leftStatus: k.leftStatus, admittedMs: k.admitted, deniedMs: k.denied }))])),
      occupants: Object.fromEntries([...this.rooms].map(([jid, r]) => [jid, Object.fromEntries([...r.occupants].map(([nick, o]) => [nick, this.occupantState(o)]))])),
      brewery: Object.fromEntries(this.brewery),
      sessions: this.sessions.map((s) => ({ room: s.room, endpoint: s.occupant.nick, ended: s.ended,
        accepted: !!s.accepted, iceConnected: s.bridge && s.bridge.events.iceConnected, dtlsConnected: s.bridge && s.bridge.events.dtlsConnected,
        firstAudio: s.bridge && s.firstAudio(), generation: s.bridge && s.bridge.generation, transportAccept: s.timings.transportAccept,
        failed: s.bridge && s.bridge.events.failed, bridge: s.bridge ? s.bridge.implementation || "wrtc" : null,
        ice: (s.bridge && s.bridge.ice) || null })),
      dials: this.dials, messages: this.messages,
    };
  }

  // One occupant in GET /state (keyed by its MUC nick; "nick" is its XEP-0172 nick).
  occupantState(o) {
    const d = o.disco;
    return { occupantJid: o.jid, nick: o.displayNick, realJid: o.realJid, role: o.role, affiliation: o.affiliation,
      features: o.features, audiomuted: o.audiomuted, videomuted: o.videomuted, statsId: o.statsId, region: o.region, caps: o.caps,
      raisedHand: o.raisedHand, status: o.status, show: o.show, presences: o.presences, joined: o.joined, left: o.left, leftStatus: o.leftStatus,
      disco: !d ? null : d.pending ? { pending: true, requestedNode: d.requestedNode, sentMs: d.sentMs }
        : Object.assign({ features: d.features, identities: d.identities, node: d.node, requestedNode: d.requestedNode, capsVerified: d.capsVerified === undefined ? null : d.capsVerified,
          sentMs: d.sentMs, at: d.at, ms: d.ms },
          d.error ? { error: d.error } : {}) };
  }

  async stop() {
    for (const s of this.sessions) s.end();
    await Promise.race([Promise.allSettled([this.client.stop(), this.component.stop()]), new Promise((r) => setTimeout(r, 1000))]);
  }
}

module.exports = { Focus };
