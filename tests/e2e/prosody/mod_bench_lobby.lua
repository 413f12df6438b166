-- mod_bench_lobby: the lobby of a Jitsi Meet deployment (jitsi-protocol.md §3.5) as the e2e bench's
-- Prosody 0.12 shows it on the wire. Written for the bench (Jitsi's mod_muc_lobby_rooms is not in
-- Debian); loaded on the conference MUC, with bench_lobby_muc naming the MUC component of the lobby
-- rooms (default lobby.<domain>). See tests/e2e/jitsi/README.md "The lobby".
--
-- State: the lobby of room R is on while R is members-only and its lobby room exists. As in Jitsi, a
-- moderator turns it on and off with the owner form field muc#roomconfig_membersonly (XEP-0045
-- §10.2); this module keeps the lobby room R@<lobby MUC> in step:
--   on:  occupants without an affiliation become members first (else §9.4 would remove them with
--        status 322), then the lobby room is created (persistent, so being empty does not end it);
--   off: the lobby room is destroyed with R as the alternate venue (§10.9), so knockers go there;
--   R destroyed: the lobby room is destroyed without a venue (the meeting is over).
-- While it is on, a join by a non-member is refused with registration-required and the lobby room's
-- JID, and R's disco#info names the lobby in muc#roominfo_lobbyroom. A join carrying R's password
-- gets in (and becomes a member): the PIN path of §3.5. Admission needs nothing here: a mediated
-- invitation (§7.8.2) from a moderator into a members-only room makes the invitee a member in
-- Prosody itself (muc/members_only.lib.lua, "muc-invite"), with R's password in it if R has one.
-- R's occupants are told as Jitsi tells them: lobby-notify json-messages from the acting moderator.
local st = require "util.stanza";
local jid = require "util.jid";
local json = require "util.json";

local JITMEET = "http://jitsi.org/jitmeet";
local MUC = "http://jabber.org/protocol/muc";
local NICK = "http://jabber.org/protocol/nick";
local CLOSED = "Lobby room closed."; -- Jitsi's <destroy> reason, on both ways a lobby ends

local function display_name(occupant)
	local pr = occupant:get_presence();
	return pr and pr:get_child_text("nick", NICK) or nil;
end
local lobby_host = module:get_option_string("bench_lobby_muc", "lobby." .. (module.host:gsub("^[^.]+%.", "")));

-- The mod_muc instance of the lobby component (its globals: get_room_from_jid, create_room).
local function lobby_service()
	local host = prosody.hosts[lobby_host];
	local muc = host and host.modules.muc;
	if not muc then module:log("error", "no MUC component %s for the lobby rooms", lobby_host); end
	return muc;
end

local function lobby_jid(room)
	return jid.join((jid.split(room.jid)), lobby_host);
end

-- The lobby room of room, if the lobby is on.
local function lobby_of(room)
	if not room:get_members_only() then return nil; end
	local muc = lobby_service();
	return muc and muc.get_room_from_jid(lobby_jid(room)) or nil;
end

-- A groupchat json-message in room from the occupant whose real JID is actor (Jitsi's lobby-notify;
-- no <body>, so not kept in the room history).
local function notify(room, actor, payload)
	local occupant = actor and room:get_occupant_by_real_jid(actor);
	if not occupant then return; end
	payload.type = "lobby-notify";
	room:broadcast_message(st.message({ type = "groupchat", from = occupant.nick })
		:tag("json-message", { xmlns = JITMEET }):text(json.encode(payload)):up());
end

local function open_lobby(room)
	local muc = lobby_service();
	if not muc or muc.get_room_from_jid(lobby_jid(room)) then return false; end
	local lobby = muc.create_room(lobby_jid(room));
	if not lobby then module:log("error", "could not create the lobby of %s", room.jid); return false; end
	lobby:set_persistent(true);
	module:log("info", "lobby of %s on: %s", room.jid, lobby.jid);
	return true;
end

local function close_lobby(room, venue)
	local muc = lobby_service();
	local lobby = muc and muc.get_room_from_jid(lobby_jid(room));
	if not lobby then return false; end
	module:log("info", "lobby of %s off: %s destroyed%s", room.jid, lobby.jid, venue and " (venue " .. venue .. ")" or "");
	lobby:destroy(venue, CLOSED);
	return true;
end

-- Before members_only.lib's own handler (priority 0): whoever is inside stays inside.
module:hook("muc-config-submitted/muc#roomconfig_membersonly", function(event)
	local room = event.room;
	if not event.value or room:get_members_only() then return; end
	local outsiders = {};
	for _, occupant in room:each_occupant() do
		if not room:get_affiliation(occupant.bare_jid) then outsiders[occupant.bare_jid] = true; end
	end
	for bare in pairs(outsiders) do
		room:set_affiliation(true, bare, "member", "In the room when the lobby was turned on");
	end
end, 1);

-- After it: the lobby follows the members-only flag.
module:hook("muc-config-submitted/muc#roomconfig_membersonly", function(event)
	local room = event.room;
	if room:get_members_only() then
		if open_lobby(room) then notify(room, event.actor, { event = "LOBBY-ENABLED", value = true }); end
	elseif close_lobby(room, room.jid) then
		notify(room, event.actor, { event = "LOBBY-ENABLED", value = false });
	end
end, -1);

module:hook("muc-room-destroyed", function(event)
	close_lobby(event.room, nil);
end);

-- Runs before members_only.lib's refusal (priority -5), which would send registration-required
-- without the lobby; after muc.lib's nick checks (1, 2). Affiliated users (members, admitted
-- knockers, owners; outcasts are refused later) are left to the stock checks.
module:hook("muc-occupant-pre-join", function(event)
	local room, stanza = event.room, event.stanza;
	local lobby = lobby_of(room);
	if not lobby or room:get_affiliation(stanza.attr.from) then return; end
	local password = room:get_password();
	if password then
		local x = stanza:get_child("x", MUC);
		if x and x:get_child_text("password", MUC) == password then
			room:set_affiliation(true, jid.bare(stanza.attr.from), "member", "Knew the room password");
			-- The joining occupant's role was fixed before this event from no affiliation (none in a
			-- members-only room, i.e. an unavailable self-presence): give it a member's.
			event.occupant.role = room:get_default_role("member");
			return; -- now a member: members_only.lib and password.lib let it in
		end
	end
	-- As Jitsi words it: legacy code 407 (XEP-0086), the lobby inside <error> and, for old clients,
	-- once more in jabber:client after it, then the <x/> of the join.
	local reply = st.error_reply(stanza, "auth", "registration-required");
	reply.tags[1].attr.code = "407";
	reply:tag("lobbyroom", { xmlns = JITMEET }):text(lobby.jid):up():up()
		:tag("lobbyroom"):text(lobby.jid):up()
		:tag("x", { xmlns = MUC });
	event.origin.send(reply);
	return true;
end, -4);

-- XEP-0045 §6.4 extended room info (XEP-0128), where lib-jitsi-meet looks for the lobby.
module:hook("muc-disco#info", function(event)
	local lobby = lobby_of(event.room);
	if not lobby then return; end
	table.insert(event.form, { name = "muc#roominfo_lobbyroom", label = "Lobby room" });
	event.formdata["muc#roominfo_lobbyroom"] = lobby.jid;
end);

-- A knocker invited (after members_only.lib made it a member): granted, from the inviter.
module:hook("muc-invite", function(event)
	local room, invite = event.room, event.stanza;
	local lobby = lobby_of(room);
	local knocker = lobby and lobby:get_occupant_by_real_jid(invite.attr.to);
	if not knocker then return; end
	local from = invite:get_child("x", MUC .. "#user"):get_child("invite").attr.from;
	notify(room, from, { event = "LOBBY-ACCESS-GRANTED", value = knocker.nick, name = display_name(knocker) });
end);

-- A knocker kicked from the lobby (status 307, §8.2): denied, from the moderator who kicked.
local function watch_lobby_kicks()
	module:context(lobby_host):hook("muc-broadcast-presence", function(event)
		local kicked = false;
		for status in event.x:childtags("status") do kicked = kicked or status.attr.code == "307"; end
		if not kicked then return; end
		local muc = prosody.hosts[module.host].modules.muc;
		local room = muc and muc.get_room_from_jid(jid.join((jid.split(event.room.jid)), module.host));
		if room then
			notify(room, event.actor, { event = "LOBBY-ACCESS-DENIED", value = event.occupant.nick, name = display_name(event.occupant) });
		end
	end);
end
if prosody.hosts[lobby_host] then watch_lobby_kicks();
else
	module:hook_global("host-activated", function(host)
		if host == lobby_host then watch_lobby_kicks(); end
	end);
end
