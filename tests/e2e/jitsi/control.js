// HTTP control API of the stand-in (127.0.0.1 only; see README.md "Control API"), and the verdict.
// Every POST takes an optional JSON body and answers JSON: 200 with the outcome, 409 with
// {error} when the action cannot be done (e.g. no live session).
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const { now } = require("./xmpp");

// Builds the verdict: one report per session, Rayo/other actions, stanza counts, and every
// problem in one list (ok = no problems). Ends all sessions first so their audio is analysed.
function verdict(focus, scenario) {
  for (const s of focus.sessions) s.end();
  const sessions = focus.sessions.map((s) => s.report());
  const problems = [];
  if (!sessions.length) problems.push("no participant joined a conference room, so no session was started");
  for (const s of sessions) {
    problems.push(...s.problems);
    const heard = s.audio.filter((a) => a.seconds > 0);
    if (s.timings.dtlsConnected && !heard.length) problems.push(`bridge received no audio from ${s.endpoint}`);
    for (const a of heard) for (const p of a.problems) problems.push(`bridge <- ${s.endpoint} (ssrc ${a.ssrc}, bridge generation ${a.generation}): ${p}`);
  }
  for (const d of focus.dials) if (d.result !== "result") problems.push(`Rayo ${d.target} to ${d.to} failed: ${d.error}`);
  return {
    scenario, ok: problems.length === 0, problems, t: now(),
    sessions, dials: focus.dials, messages: focus.messages,
    stanzas: { file: "standin-stanzas.jsonl", counts: focus.log.summary() },
  };
}

const routes = {
  "GET /state": (f) => f.state(),
  "POST /source-add": (f, b) => f.session(b.endpoint).sourceChange("source-add", b.freq),
  "POST /source-remove": (f, b) => f.session(b.endpoint).sourceChange("source-remove", b.freq),
  "POST /mute": (f, b) => f.session(b.endpoint).mute(b.muted !== false),
  "POST /terminate": (f, b) => f.session(b.endpoint).terminate(b.reason, b.text),
  "POST /transport-replace": (f, b) => f.session(b.endpoint).transportReplace().then(() => ({ sent: true })),
  "POST /av-moderation": (f, b) => f.avModeration(b.endpoint, b.payload || { enabled: true }),
  "POST /lobby": (f, b) => f.lobby({ room: b.room, enabled: b.enabled !== false }),
  "POST /lobby/admit": (f, b) => f.lobbyAdmit(b),
  "POST /lobby/deny": (f, b) => f.lobbyDeny(b),
  "POST /min-participants": (f, b) => { f.minParticipants = Number(b.n) || 1; return { minParticipants: f.minParticipants }; },
  "POST /lock": (f, b) => f.lock({ room: b.room, password: b.password }),
  "POST /kick": (f, b) => f.kick(b),
  "POST /destroy": (f, b) => f.destroy(b),
  "POST /dial": (f, b) => f.dial(b),
  "POST /hangup": (f, b) => f.hangup(b),
  "POST /verdict": (f, b) => {
    const v = verdict(f, b.scenario || process.env.E2E_SCENARIO || null);
    fs.writeFileSync(path.join(f.opts.out, "verdict.json"), JSON.stringify(v, null, 2));
    return v;
  },
};

function serve(focus, port) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", async () => {
      const route = routes[`${req.method} ${req.url.split("?")[0]}`];
      const reply = (code, obj) => { res.writeHead(code, { "Content-Type": "application/json" }); res.end(JSON.stringify(obj, null, 1) + "\n"); };
      if (!route) return reply(404, { error: `no route ${req.method} ${req.url}` });
      try {
        const b = body ? JSON.parse(body) : {};
        focus.note(`control: ${req.method} ${req.url} ${body}`);
        reply(200, (await route(focus, b)) || {});
      } catch (e) {
        reply(409, { error: e.message });
      }
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

module.exports = { serve, verdict };
