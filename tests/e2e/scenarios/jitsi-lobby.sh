# The lobby of jitsi-protocol.md §3.5 on the bench (Prosody's mod_bench_lobby + the stand-in as the
# moderator), seen by plain XMPP clients ("knockers", anonymous on meet.test, below) that do what
# Jigasi does: join the room, on registration-required with <lobbyroom> join that lobby room with
# the same nick, then follow what happens there.
#   - lobby on with a participant inside: it stays (made a member), the room's disco#info names the
#     lobby room, the focus joins it;
#   - admitted: refused with registration-required + <lobbyroom>, in the lobby (GET /state lists it
#     with its real JID and <nick>), POST /lobby/admit -> the invitation comes from the room JID
#     (inviter the focus), the knocker is a member and its join succeeds;
#   - denied: POST /lobby/deny -> unavailable with 307 and the reason from the lobby; the main room
#     still refuses it;
#   - room password (the §3.5 PIN path): the right one gets in past the lobby, a wrong one meets the
#     lobby;
#   - lobby off: the lobby is destroyed with the room as alternate venue, the knocker joins it;
#   - lobby on again, then the room destroyed: the lobby is destroyed without a venue;
#   - the participant in the room got Jitsi's lobby-notify messages for all of it, in order.
source "$E2E_DIR/jitsi/bench.sh"
ROOM=lobbytest@conference.$PROSODY_DOMAIN
LOBBY=lobbytest@lobby.$PROSODY_DOMAIN

# The knocker: one anonymous connection. Report (rewritten after each step): {jid, joins: [{room,
# ok, codes, affiliation, role, error: {type, code, condition, lobbyroom, lobbyroomClient (the
# jabber:client copy after <error>), text}}], lobby: <join>, invite:
# {from, inviteFrom, password}, removed: {codes, reason, actor, destroy: {jid, reason}}, done}.
# --knock-only: stop after the first join.
cat > "$E2E_OUT/knocker.js" <<'JS'
"use strict";
const fs = require("fs");
const path = require("path");
const jitsi = (m) => require(path.join(process.env.E2E_DIR, "jitsi", m));
const { parseArgs } = jitsi("args");
const { NS, xml, now, StanzaLog, connectClient } = jitsi("xmpp");
const a = parseArgs(process.argv.slice(2), { room: "", nick: "", number: "+15550100", roomPassword: "", knockOnly: false,
  report: "", timeout: "20", service: "xmpp://127.0.0.1:5222", domain: "meet.test" });
const rep = { nick: a.nick, jid: null, joins: [], lobby: null, invite: null, removed: null, done: false, problems: [] };
const save = () => { fs.writeFileSync(a.report + ".tmp", JSON.stringify(rep, null, 1)); fs.renameSync(a.report + ".tmp", a.report); };
const say = (m) => console.log(`${String(now()).padStart(6)} ms  ${m}`);
const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

// XEP-0045 §7.2: presence to room/nick; the answer is our self-presence (status 110) or an error.
function join(c, room, password) {
  const full = `${room}/${a.nick}`;
  return new Promise((resolve) => {
    const h = (st) => {
      if (!st.is("presence") || st.attrs.from !== full || st.attrs.type === "unavailable") return;
      c.removeListener("stanza", h);
      const r = { room, t: now(), ok: st.attrs.type !== "error" };
      if (r.ok) {
        const x = st.getChild("x", NS.MUC_USER), item = x && x.getChild("item");
        Object.assign(r, { codes: x ? x.getChildren("status").map((s) => Number(s.attrs.code)) : [],
          affiliation: item ? item.attrs.affiliation : null, role: item ? item.attrs.role : null });
      } else {
        const e = st.getChild("error"), cond = e && e.children.find((x) => x.attrs && x.attrs.xmlns === STANZAS && x.name !== "text");
        const lobby = e && e.getChild("lobbyroom", NS.JITMEET), old = st.getChild("lobbyroom", "jabber:client");
        r.error = { type: e ? e.attrs.type : null, code: e ? e.attrs.code || null : null, condition: cond ? cond.name : null,
          lobbyroom: lobby ? lobby.text() : null, lobbyroomClient: old ? old.text() : null,
          text: e && e.getChild("text", STANZAS) ? e.getChild("text", STANZAS).text() : null, xml: st.toString() };
      }
      say(`join ${full}: ${r.ok ? "ok " + JSON.stringify(r.codes) : r.error.condition + " lobbyroom=" + r.error.lobbyroom}`);
      resolve(r);
    };
    c.on("stanza", h);
    c.send(xml("presence", { to: full }, xml("x", { xmlns: NS.MUC }, password ? xml("password", {}, password) : null),
      xml("nick", { xmlns: NS.NICK }, a.number)));
  });
}

(async () => {
  setTimeout(() => { rep.problems.push(`timed out after ${a.timeout} s`); save(); process.exit(1); }, Number(a.timeout) * 1000);
  const c = await connectClient({ service: a.service, domain: a.domain, name: `knocker-${a.nick}`,
    log: new StanzaLog(a.report.replace(/\.json$/, "-stanzas.jsonl")) });
  rep.jid = c.jid;
  const first = await join(c, a.room, a.roomPassword);
  rep.joins.push(first);
  save();
  let outcome = null;
  if (!first.ok && first.error.lobbyroom && !a.knockOnly) {
    const lobby = first.error.lobbyroom;
    // Set up before joining the lobby, so nothing is missed: an invitation from the room (XEP-0045
    // §7.8.2) or our own unavailable presence from the lobby (kicked §8.2, destroyed §10.9).
    const next = new Promise((resolve) => c.on("stanza", (st) => {
      const x = st.getChild("x", NS.MUC_USER);
      const inv = st.is("message") && st.attrs.from === a.room && x && x.getChild("invite");
      if (inv) {
        rep.invite = { t: now(), from: st.attrs.from, inviteFrom: inv.attrs.from || null, password: x.getChildText("password") };
        return resolve("invited");
      }
      if (st.is("presence") && st.attrs.type === "unavailable" && st.attrs.from === `${lobby}/${a.nick}`) {
        const item = x && x.getChild("item"), d = x && x.getChild("destroy");
        rep.removed = { t: now(), codes: x ? x.getChildren("status").map((s) => Number(s.attrs.code)) : [],
          reason: item ? item.getChildText("reason") : null, actor: item && item.getChild("actor") ? item.getChild("actor").attrs.nick || null : null,
          destroy: d ? { jid: d.attrs.jid || null, reason: d.getChildText("reason") } : null };
        resolve(d ? "destroyed" : "removed");
      }
    }));
    rep.lobby = await join(c, lobby);
    save();
    if (rep.lobby.ok) {
      outcome = await next;
      say(`in the lobby: ${outcome}`);
      if (outcome === "invited") {
        c.send(xml("presence", { to: `${lobby}/${a.nick}`, type: "unavailable" }));
        rep.joins.push(await join(c, a.room, rep.invite.password || a.roomPassword));
      } else if (outcome === "destroyed" && rep.removed.destroy.jid) {
        rep.joins.push(await join(c, rep.removed.destroy.jid, a.roomPassword));
      } else if (outcome === "removed") {
        rep.joins.push(await join(c, a.room, a.roomPassword));  // denied: still locked out
      }
    }
  }
  const last = rep.joins[rep.joins.length - 1];
  if (last.ok) c.send(xml("presence", { to: `${last.room}/${a.nick}`, type: "unavailable" }));
  rep.done = true;
  save();
  await new Promise((r) => setTimeout(r, 200));
  await c.stop().catch(() => {});
  process.exit(0);
})().catch((e) => { rep.problems.push(e.stack || e.message); save(); process.exit(1); });
JS

knock() { local nick=$1; shift; spawn "$nick" node "$E2E_OUT/knocker.js" --room "$ROOM" --nick "$nick" --report "$E2E_OUT/$nick.json" "$@"; }
kr() { local nick=$1; shift; jq "$@" "$E2E_OUT/$nick.json"; }   # the knocker's report through jq
lobby_entry() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -c --arg r "$ROOM" --arg n "$1" '.lobby[$r][] | select(.nick == $n)'; }
refused_to_lobby() {  # NICK JOIN-INDEX: that join was refused with registration-required + our lobby
    kr "$1" -e --argjson i "$2" --arg l "$LOBBY" '.joins[$i] | .ok == false and .error.type == "auth" and .error.code == "407"
        and .error.condition == "registration-required" and .error.lobbyroom == $l and .error.lobbyroomClient == $l' > /dev/null \
        || fail "$1's join $2 was not refused with registration-required and <lobbyroom>$LOBBY</lobbyroom>: $(kr "$1" -c ".joins[$2]")"
}
in_lobby() {  # NICK: its first join refused with our lobby, it in the lobby room, the focus seeing it there
    wait_until 10 "$1 to knock ($1.log)" jq -e '.lobby != null or .done or (.problems | length > 0)' "$E2E_OUT/$1.json"
    refused_to_lobby "$1" 0
    kr "$1" -e '.lobby.ok' > /dev/null || fail "$1 could not join the lobby $LOBBY: $(kr "$1" -c '{lobby, problems}')"
    standin_wait 5 "GET /state to list $1 in the lobby" ".lobby[\"$ROOM\"] | any(.nick == \"$1\" and .left == null)"
}

start_prosody
start_standin
spawn host node "$JITSI_DIR/participant.js" --room "$ROOM" --expect 440,660 --timeout 60 --report "$E2E_OUT/host-report.json"
standin_wait 10 "the host participant in $ROOM" ".rooms[\"$ROOM\"] | length == 1"
host=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r --arg r "$ROOM" '.rooms[$r][0]')

note "lobby on"
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":true}" > "$E2E_OUT/lobby-on.json"
jq -e --arg l "$LOBBY" '.result == "result" and .lobbyRoom == $l and .lobbyJoined' "$E2E_OUT/lobby-on.json" > /dev/null \
    || fail "lobby on: no muc#roominfo_lobbyroom $LOBBY in the room's disco#info, or the focus could not join it: $(jq -c . "$E2E_OUT/lobby-on.json")"
standin_wait 5 "the host participant to stay in the room as a member" \
    ".occupants[\"$ROOM\"][\"$host\"] | .left == null and .affiliation == \"member\""

note "admitted: refused, in the lobby, invited, joins"
knock alice --number +15550101
in_lobby alice
lobby_entry alice > "$E2E_OUT/alice-lobby.json"
jq -e --arg j "$(kr alice -r .jid)" '.jid == $j and .displayNick == "+15550101" and .left == null' "$E2E_OUT/alice-lobby.json" > /dev/null \
    || fail "GET /state .lobby does not list alice with her real JID $(kr alice -r .jid) and <nick>: $(jq -c . "$E2E_OUT/alice-lobby.json")"
standin POST /lobby/admit "{\"room\":\"$ROOM\",\"nick\":\"alice\"}" > "$E2E_OUT/admit.json"
jq -e '.result == "result" and .member == true' "$E2E_OUT/admit.json" > /dev/null \
    || fail "the invitation did not make alice a member of $ROOM: $(jq -c . "$E2E_OUT/admit.json")"
wait_exit alice 10 || fail "alice's knocker failed: $(kr alice -c .problems)"
kr alice -e --arg r "$ROOM" '.invite.from == $r and .invite.inviteFrom == "focus@auth.meet.test/focus"' > /dev/null \
    || fail "alice got no invitation from the room JID $ROOM with the focus as inviter: $(kr alice -c .invite)"
kr alice -e --arg r "$ROOM" '.joins[1] | .ok and .room == $r and (.codes | index(110) != null) and .affiliation == "member"' > /dev/null \
    || fail "alice's join after the invitation did not succeed as a member: $(kr alice -c .joins[1])"
standin_wait 5 "the stand-in to see alice in the room and gone from the lobby" \
    "(.occupants[\"$ROOM\"].alice.affiliation == \"member\") and (.lobby[\"$ROOM\"][] | select(.nick == \"alice\") | .left != null and (.leftStatus.codes | index(307) == null))"

note "denied: kicked from the lobby"
knock bob
in_lobby bob
standin POST /lobby/deny "{\"room\":\"$ROOM\",\"nick\":\"bob\",\"reason\":\"not today\"}" > "$E2E_OUT/deny.json"
jq -e '.result == "result"' "$E2E_OUT/deny.json" > /dev/null || fail "the lobby kick was refused: $(jq -c . "$E2E_OUT/deny.json")"
wait_exit bob 10 || fail "bob's knocker failed: $(kr bob -c .problems)"
kr bob -e '.invite == null and (.removed.codes | index(307) != null) and .removed.reason == "not today" and .removed.actor == "focus"' > /dev/null \
    || fail "bob was not removed from the lobby with 307, the reason and the focus as actor: $(kr bob -c '{removed, invite}')"
refused_to_lobby bob 1
lobby_entry bob | jq -e '.left != null and (.leftStatus.codes | index(307) != null)' > /dev/null \
    || fail "GET /state does not show bob as kicked from the lobby: $(lobby_entry bob)"
out=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$STANDIN_PORT/lobby/admit" -d "{\"room\":\"$ROOM\",\"nick\":\"bob\"}")
[ "$out" = 409 ] || fail "POST /lobby/admit of a knocker no longer in the lobby answered HTTP $out, not 409"

note "room password: the right one passes the lobby, a wrong one meets it"
standin POST /lock "{\"room\":\"$ROOM\",\"password\":\"1234\"}" > "$E2E_OUT/lock.json"
jq -e '.result == "result" and .locked' "$E2E_OUT/lock.json" > /dev/null || fail "locking the room failed: $(jq -c . "$E2E_OUT/lock.json")"
knock carol --room-password 1234
knock dave --room-password 9999 --knock-only
wait_exit carol 10 || fail "carol's knocker failed: $(kr carol -c .problems)"
wait_exit dave 10 || fail "dave's knocker failed: $(kr dave -c .problems)"
kr carol -e '.joins[0] | .ok and .affiliation == "member"' > /dev/null \
    || fail "carol, with the room password, did not get past the lobby as a member: $(kr carol -c .joins[0])"
refused_to_lobby dave 0
standin POST /lock "{\"room\":\"$ROOM\",\"password\":\"\"}" > /dev/null

note "lobby off while erin waits: destroyed with the room as venue"
knock erin
in_lobby erin
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":false}" > "$E2E_OUT/lobby-off.json"
jq -e '.result == "result" and .lobbyRoom == null' "$E2E_OUT/lobby-off.json" > /dev/null \
    || fail "lobby off: refused, or the room's disco#info still names a lobby: $(jq -c . "$E2E_OUT/lobby-off.json")"
wait_exit erin 10 || fail "erin's knocker failed: $(kr erin -c .problems)"
kr erin -e --arg r "$ROOM" '.removed.destroy == {jid: $r, reason: "Lobby room closed."} and (.joins[1] | .ok and .room == $r)' > /dev/null \
    || fail "erin did not get <destroy jid='$ROOM'/> from the lobby and then into the room: $(kr erin -c '{removed, joins}')"
standin_wait 5 "the focus out of the destroyed lobby" ".roomInfo[\"$ROOM\"].lobby | .focus == \"out\" and .destroyed.jid == \"$ROOM\""

note "lobby on again, then the room destroyed: the lobby goes without a venue"
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":true}" > "$E2E_OUT/lobby-on2.json"
jq -e --arg l "$LOBBY" '.result == "result" and .lobbyRoom == $l and .lobbyJoined' "$E2E_OUT/lobby-on2.json" > /dev/null \
    || fail "turning the lobby on a second time failed: $(jq -c . "$E2E_OUT/lobby-on2.json")"
knock frank
in_lobby frank
standin POST /destroy "{\"room\":\"$ROOM\",\"reason\":\"meeting over\"}" > "$E2E_OUT/destroy.json"
jq -e '.result == "result"' "$E2E_OUT/destroy.json" > /dev/null || fail "destroying the room failed: $(jq -c . "$E2E_OUT/destroy.json")"
wait_exit frank 10 || fail "frank's knocker failed: $(kr frank -c .problems)"
kr frank -e '.removed.destroy == {jid: null, reason: "Lobby room closed."} and (.joins | length == 1)' > /dev/null \
    || fail "frank did not get a <destroy/> without a venue from the lobby: $(kr frank -c '{removed, joins}')"
wait_exit host 10 || note "the host participant reported problems (not checked here: $(jq -c .problems "$E2E_OUT/host-report.json"))"
# What the room's occupants were told (Jitsi's lobby-notify json-messages from the acting moderator).
jq -c --arg r "$ROOM/focus" '[.call.jingle[] | select(.action == "json-message" and .from == $r) | .body | fromjson]' \
    "$E2E_OUT/host-report.json" > "$E2E_OUT/host-notices.json"
jq -e --arg l "$LOBBY" '[.[] | select(.type == "lobby-notify") | [.event, .value, .name]] == [
      ["LOBBY-ENABLED", true, null], ["LOBBY-ACCESS-GRANTED", ($l + "/alice"), "+15550101"],
      ["LOBBY-ACCESS-DENIED", ($l + "/bob"), "+15550100"], ["LOBBY-ENABLED", false, null], ["LOBBY-ENABLED", true, null]]' \
    "$E2E_OUT/host-notices.json" > /dev/null \
    || fail "the host participant did not get the lobby-notify messages (enabled, granted alice, denied bob, disabled, enabled) from $ROOM/focus: $(cat "$E2E_OUT/host-notices.json")"
note "lobby: $(jq -c '[.[] | {what, result, ms: (.resultMs - .sentMs)}]' <(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq '.messages'))"
