// SDP <-> Jingle for one bundled audio content, in the dialect Jicofo and Jigasi speak
// (jitsi-protocol.md §4.1/§4.2): XEP-0167 description with XEP-0294 rtp-hdrext, XEP-0339 ssma
// sources with Jitsi's <ssrc-info owner>, XEP-0176 ice-udp transport with XEP-0320 fingerprint.
// Both peers use it: the stand-in turns its wrtc offer into a session-initiate and the answer back
// into SDP; the participant does the reverse.
"use strict";
const { xml } = require("@xmpp/client");

const NS = {
  RTP: "urn:xmpp:jingle:apps:rtp:1",
  HDREXT: "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0",
  SSMA: "urn:xmpp:jingle:apps:rtp:ssma:0",
  ICE: "urn:xmpp:jingle:transports:ice-udp:1",
  DTLS: "urn:xmpp:jingle:apps:dtls:0",
  GROUP: "urn:xmpp:jingle:apps:grouping:0",
  JITMEET: "http://jitsi.org/jitmeet",
  COLIBRI: "http://jitsi.org/protocol/colibri",
};
const AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
const MID = "urn:ietf:params:rtp-hdrext:sdes:mid";

// ---- transport (XEP-0176 + XEP-0320) ----

// sdp-transform candidate object -> <candidate/>. Only UDP/IPv4 is offered: the bench runs on
// 127.0.0.1 and JVB's host candidates are UDP (TCP only with its optional TCP harvester).
function candidateXml(c, generation = 0) {
  const a = { component: c.component, foundation: c.foundation, generation, id: `${c.foundation}${c.port}`,
    network: 0, ip: c.ip, port: c.port, priority: c.priority, protocol: c.transport.toLowerCase(), type: c.type };
  if (c.raddr) { a["rel-addr"] = c.raddr; a["rel-port"] = c.rport; }
  return xml("candidate", a);
}

// <candidate/> -> the SDP "candidate:" string RTCPeerConnection.addIceCandidate takes (RFC 8839 §5.1).
function candidateSdp(el) {
  const a = el.attrs;
  let s = `candidate:${a.foundation} ${a.component} ${a.protocol} ${a.priority} ${a.ip} ${a.port} typ ${a.type}`;
  if (a["rel-addr"]) s += ` raddr ${a["rel-addr"]} rport ${a["rel-port"]}`;
  return `${s} generation ${a.generation || 0}`;
}

const usable = (c) => c.transport.toLowerCase() === "udp" && c.ip.indexOf(":") < 0 && c.component === 1;

function transportXml({ ufrag, pwd, fingerprint, setup, candidates = [], webSocket }) {
  return xml("transport", { xmlns: NS.ICE, ufrag, pwd },
    fingerprint ? xml("fingerprint", { xmlns: NS.DTLS, hash: fingerprint.type, setup }, fingerprint.hash) : null,
    ...candidates.filter(usable).map((c) => candidateXml(c)),
    xml("rtcp-mux"),
    webSocket ? xml("web-socket", { xmlns: NS.COLIBRI, url: webSocket }) : null);
}

function parseTransport(el) {
  if (!el) return null;
  const fp = el.getChild("fingerprint", NS.DTLS);
  return {
    ufrag: el.attrs.ufrag, pwd: el.attrs.pwd,
    fingerprint: fp ? { type: fp.attrs.hash, hash: fp.text().trim(), setup: fp.attrs.setup } : null,
    candidates: el.getChildren("candidate").map(candidateSdp),
  };
}

// ---- description (XEP-0167, XEP-0294, XEP-0339) ----

// rtp: [{payload, codec, rate, encoding}], fmtp: {pt: "a=b;c=d"}, ext: [{value, uri}],
// sources: [{ssrc, name, owner, msid, cname}]
function descriptionXml({ rtp, fmtp = {}, ext = [], sources = [], maxptime, ssrc, allowMixed = true }) {
  const attrs = { xmlns: NS.RTP, media: "audio" };
  if (maxptime) attrs.maxptime = maxptime;
  if (ssrc) attrs.ssrc = ssrc;
  return xml("description", attrs,
    ...ext.map((e) => xml("rtp-hdrext", { xmlns: NS.HDREXT, id: e.value, uri: e.uri })),
    ...rtp.map((r) => xml("payload-type", Object.assign({ id: r.payload, name: r.codec, clockrate: r.rate },
      r.encoding ? { channels: r.encoding } : {}),
      ...(fmtp[r.payload] || "").split(";").filter(Boolean).map((kv) => {
        const [name, value] = kv.trim().split("=");
        return xml("parameter", { name, value });
      }))),
    allowMixed ? xml("extmap-allow-mixed", { xmlns: NS.HDREXT }) : null,
    rtp.length ? xml("rtcp-mux") : null, // not in source-add/remove, which carry sources only
    ...sources.map((s) => xml("source", Object.assign({ xmlns: NS.SSMA, ssrc: s.ssrc }, s.name ? { name: s.name } : {}),
      s.owner ? xml("ssrc-info", { xmlns: NS.JITMEET, owner: s.owner }) : null,
      s.cname ? xml("parameter", { name: "cname", value: s.cname }) : null,
      s.msid ? xml("parameter", { name: "msid", value: s.msid }) : null)));
}

function parseSources(desc) {
  return desc.getChildren("source", NS.SSMA).map((s) => {
    const p = {};
    for (const c of s.getChildren("parameter")) p[c.attrs.name] = c.attrs.value;
    const info = s.getChild("ssrc-info", NS.JITMEET);
    return { ssrc: Number(s.attrs.ssrc), name: s.attrs.name, owner: info ? info.attrs.owner : undefined, msid: p.msid, cname: p.cname };
  });
}

function parseDescription(el) {
  const rtp = [], fmtp = {};
  for (const p of el.getChildren("payload-type")) {
    rtp.push({ payload: Number(p.attrs.id), codec: p.attrs.name, rate: Number(p.attrs.clockrate),
      encoding: p.attrs.channels ? Number(p.attrs.channels) : undefined });
    const params = p.getChildren("parameter").map((x) => `${x.attrs.name}=${x.attrs.value}`);
    if (params.length) fmtp[p.attrs.id] = params.join(";");
  }
  return {
    rtp, fmtp,
    ext: el.getChildren("rtp-hdrext", NS.HDREXT).map((h) => ({ value: Number(h.attrs.id), uri: h.attrs.uri })),
    sources: parseSources(el),
    allowMixed: !!el.getChild("extmap-allow-mixed", NS.HDREXT),
    maxptime: el.attrs.maxptime,
  };
}

// ---- SDP building (the parts both sides synthesize for their own wrtc) ----

// One m-line. t: parsed transport; d: parsed description; dir: a=sendrecv etc.
function mline({ mid, d, t, setup, dir, sources = [], port = 9 }) {
  const pts = d.rtp.map((r) => r.payload).join(" ");
  const L = [`m=audio ${port} UDP/TLS/RTP/SAVPF ${pts}`, "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
    `a=ice-ufrag:${t.ufrag}`, `a=ice-pwd:${t.pwd}`,
    `a=fingerprint:${t.fingerprint.type} ${t.fingerprint.hash}`, `a=setup:${setup}`, `a=mid:${mid}`];
  for (const e of d.ext) L.push(`a=extmap:${e.value} ${e.uri}`);
  L.push(`a=${dir}`, "a=rtcp-mux");
  for (const r of d.rtp) {
    L.push(`a=rtpmap:${r.payload} ${r.codec}/${r.rate}${r.encoding ? "/" + r.encoding : ""}`);
    if (d.fmtp[r.payload]) L.push(`a=fmtp:${r.payload} ${d.fmtp[r.payload]}`);
  }
  for (const s of sources) {
    const cname = s.cname || `c${s.ssrc}`;
    const msid = s.msid || `${s.owner || "s"}-${s.ssrc} ${s.owner || "s"}-${s.ssrc}-t`;
    L.push(`a=ssrc:${s.ssrc} cname:${cname}`, `a=ssrc:${s.ssrc} msid:${msid}`);
  }
  return L;
}

// origin: {id, version}; a renegotiation keeps the id and bumps the version (RFC 3264 §8).
function sdp(mlines, allowMixed, origin = { id: Date.now(), version: 2 }) {
  const mids = mlines.map((m) => m.mid);
  const head = ["v=0", `o=- ${origin.id} ${origin.version} IN IP4 127.0.0.1`, "s=-", "t=0 0", `a=group:BUNDLE ${mids.join(" ")}`];
  if (allowMixed) head.push("a=extmap-allow-mixed");
  head.push("a=msid-semantic: WMS *");
  return head.concat(...mlines.map(mline)).join("\r\n") + "\r\n";
}

module.exports = { NS, AUDIO_LEVEL, MID, transportXml, parseTransport, descriptionXml, parseDescription, candidateSdp, usable, sdp };
