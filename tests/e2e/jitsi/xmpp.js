// XMPP plumbing shared by the stand-in and the test participant: connections (client and XEP-0114
// component) whose every stanza goes to a JSON-lines log with a timestamp, MUC joins, and small
// helpers for IQ replies. Both sides log the same way so a verdict can quote exact wire traffic.
"use strict";
const fs = require("fs");
const { client, xml } = require("@xmpp/client");
const { component } = require("@xmpp/component");

const NS = {
  MUC: "http://jabber.org/protocol/muc",
  MUC_USER: "http://jabber.org/protocol/muc#user",
  MUC_ADMIN: "http://jabber.org/protocol/muc#admin",
  MUC_OWNER: "http://jabber.org/protocol/muc#owner",
  CAPS: "http://jabber.org/protocol/caps",
  DATA: "jabber:x:data",
  NICK: "http://jabber.org/protocol/nick",
  DISCO_INFO: "http://jabber.org/protocol/disco#info",
  FOCUS: "http://jitsi.org/protocol/focus",
  JINGLE: "urn:xmpp:jingle:1",
  RAYO: "urn:xmpp:rayo:1",
  COLIBRI: "http://jitsi.org/protocol/colibri",
  JITMEET: "http://jitsi.org/jitmeet",
  AUDIO_MUTE: "http://jitsi.org/jitmeet/audio",
  JIGASI: "http://jitsi.org/protocol/jigasi",
};

const T0 = Date.now();
const now = () => Date.now() - T0;

// One log per process: {t, conn, dir: "in"|"out", xml}. Kept in memory for the verdict summary too.
class StanzaLog {
  constructor(path) {
    this.path = path;
    this.entries = [];
    this.fd = path ? fs.openSync(path, "w") : null;
  }
  add(conn, dir, el) {
    const e = { t: now(), conn, dir, xml: el.toString() };
    this.entries.push(e);
    if (this.fd !== null) fs.writeSync(this.fd, JSON.stringify(e) + "\n");
  }
  // Counts per "dir name[/jingle action|child]" so a verdict shows at a glance what was exchanged.
  summary() {
    const counts = {};
    for (const e of this.entries) {
      const m = /^<(\w+)[^>]*?(?:type="(\w+)")?[^>]*>(?:<(\w[\w-]*)[^>]*?(?:action="([\w-]+)")?)?/.exec(e.xml);
      if (!m) continue;
      const key = `${e.dir} ${m[1]}${m[2] ? "." + m[2] : ""}${m[4] ? " " + m[4] : m[3] ? " " + m[3] : ""}`;
      counts[key] = (counts[key] || 0) + 1;
    }
    return counts;
  }
}

function instrument(conn, name, log) {
  conn.on("element", (el) => log.add(name, "in", el));
  conn.on("send", (el) => log.add(name, "out", el));
  conn.on("error", (e) => console.error(`${now()} ms ${name}: XMPP error: ${e.message}`));
  return conn;
}

async function connectClient({ service, domain, username, password, resource, name, log }) {
  const conn = instrument(client({ service, domain, username, password, resource }), name, log);
  const addr = await conn.start();
  conn.jid = addr.toString();
  return conn;
}

async function connectComponent({ service, domain, password, name, log }) {
  const conn = instrument(component({ service, domain, password }), name, log);
  await conn.start();
  conn.jid = domain;
  return conn;
}

// Joins room/nick with the given extra presence children (and the room password, XEP-0045
// §7.2.6, if given); resolves with the self-presence (status 110, §7.2.2) or rejects with the
// error presence.
function joinMuc(conn, roomJid, nick, children = [], { password } = {}) {
  const full = `${roomJid}/${nick}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { conn.removeListener("stanza", h); reject(new Error(`no MUC self-presence from ${full} within 10 s`)); }, 10000);
    const h = (st) => {
      if (!st.is("presence") || st.attrs.from !== full) return;
      clearTimeout(timer);
      conn.removeListener("stanza", h);
      if (st.attrs.type === "error") reject(new Error(`joining ${full} failed: ${st.toString()}`));
      else resolve(st);
    };
    conn.on("stanza", h);
    conn.send(xml("presence", { to: full }, xml("x", { xmlns: NS.MUC }, password ? xml("password", {}, password) : null), ...children));
  });
}

function iqResult(conn, iq, ...children) {
  return conn.send(xml("iq", { type: "result", to: iq.attrs.from, id: iq.attrs.id }, ...children));
}

function iqError(conn, iq, type, condition, text) {
  return conn.send(xml("iq", { type: "error", to: iq.attrs.from, id: iq.attrs.id },
    xml("error", { type }, xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
      text ? xml("text", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }, text) : null)));
}

const hex8 = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");

module.exports = { NS, xml, now, StanzaLog, connectClient, connectComponent, joinMuc, iqResult, iqError, hex8 };
