// The participant's call-control side, so the stand-in's dial paths meet a real peer:
// - Brewery mode (jitsi-protocol.md §1.1): jigasi@auth.<domain> joins the brewery with nick = its
//   resource, publishes colibri stats, and answers a Rayo dial only once the new call is in the
//   room, with the occupant JID as ref (§2.2). Only dials from the brewery room are accepted
//   (ALLOWED_JID, §1.1).
// - Component mode (§1.4): callcontrol.<domain> answers dial at once with xmpp:<8hex>@callcontrol...
//   and hangup to that address; it starts no call (see README: deviations of the test peers).
"use strict";
const { NS, xml, now, connectClient, connectComponent, joinMuc, hex8 } = require("./xmpp");

const err = (type, cond, text) => xml("error", { type }, xml(cond, "urn:ietf:params:xml:ns:xmpp-stanzas"),
  text ? xml("text", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }, text) : null);

function dialInfo(el) {
  const headers = Object.fromEntries(el.getChildren("header").map((h) => [h.attrs.name, h.attrs.value]));
  return { to: el.attrs.to, rayoFrom: el.attrs.from, headers };
}

class CallControl {
  // o: {service, componentService, domain, password, secret, brewery, log}; startCall(dial) -> Call (joined)
  constructor(o, startCall) {
    this.o = o;
    this.startCall = startCall;
    this.dials = [];
    this.calls = 0;
  }

  stats() {
    const s = { conferences: this.calls, participants: this.calls, graceful_shutdown: "false", stress_level: "0.0",
      version: "jigasi-ng-e2e", supports_transcription: "false", supports_sip: "true" };
    return xml("stats", { xmlns: NS.COLIBRI }, ...Object.entries(s).map(([name, value]) => xml("stat", { name, value: String(value) })));
  }

  async startBrewery() {
    const resource = hex8();
    this.client = await connectClient({ service: this.o.service, domain: `auth.${this.o.domain}`, username: "jigasi",
      password: this.o.password, resource, name: "control", log: this.o.log });
    this.client.iqCallee.get(NS.DISCO_INFO, "query", () => xml("query", { xmlns: NS.DISCO_INFO },
      xml("feature", { var: NS.JIGASI }), xml("feature", { var: "urn:xmpp:rayo:1" })));
    this.client.iqCallee.set(NS.RAYO, "dial", (ctx) => this.onBreweryDial(ctx));
    this.breweryJid = `${this.o.brewery}/${resource}`;
    await joinMuc(this.client, this.o.brewery, resource, [this.stats()]);
  }

  async onBreweryDial(ctx) {
    const d = Object.assign({ via: "brewery", t: now(), sender: ctx.stanza.attrs.from }, dialInfo(ctx.element));
    this.dials.push(d);
    if (ctx.stanza.attrs.from.split("/")[0] !== this.o.brewery) { d.answer = "forbidden"; return err("cancel", "forbidden"); }
    const room = d.headers.JvbRoomName;
    if (!room) { d.answer = "internal-server-error"; return err("cancel", "internal-server-error", "No JvbRoomName header"); }
    try {
      const call = await this.startCall({ room, number: d.to });
      this.calls++;
      this.client.send(xml("presence", { to: this.breweryJid }, this.stats())); // §1.1: re-sent when a session joins
      d.answer = `xmpp:${call.occupantJid}`;
      d.answeredMs = now();
      return xml("ref", { xmlns: NS.RAYO, uri: d.answer });
    } catch (e) {
      d.answer = "internal-server-error";
      return err("cancel", "internal-server-error", `Fail to join muc! ${e.message}`);
    }
  }

  async startComponent() {
    const domain = `callcontrol.${this.o.domain}`;
    this.component = await connectComponent({ service: this.o.componentService, domain, password: this.o.secret, name: "callcontrol", log: this.o.log });
    this.component.iqCallee.get(NS.DISCO_INFO, "query", () => xml("query", { xmlns: NS.DISCO_INFO },
      xml("feature", { var: NS.JIGASI }), xml("feature", { var: "urn:xmpp:rayo:0" })));
    this.component.iqCallee.set(NS.RAYO, "dial", (ctx) => {
      const d = Object.assign({ via: "component", t: now(), sender: ctx.stanza.attrs.from }, dialInfo(ctx.element));
      d.answer = `xmpp:${hex8()}@${domain}`;
      this.dials.push(d);
      return xml("ref", { xmlns: NS.RAYO, uri: d.answer });
    });
    this.component.iqCallee.set(NS.RAYO, "hangup", (ctx) => {
      const to = ctx.stanza.attrs.to;
      const d = this.dials.find((x) => x.via === "component" && x.answer === `xmpp:${to}` && !x.hungUp);
      this.dials.push({ via: "component", t: now(), hangup: to, found: !!d });
      if (!d) return err("cancel", "internal-server-error", `no call ${to}`);
      d.hungUp = now();
      return true;
    });
  }

  async stop() {
    const conns = [this.client, this.component].filter(Boolean).map((c) => c.stop().catch(() => {}));
    await Promise.race([Promise.all(conns), new Promise((r) => setTimeout(r, 1000))]);
  }
}

module.exports = { CallControl };
