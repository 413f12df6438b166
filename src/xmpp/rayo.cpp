// Rayo dial/hangup parsing and the replies Jigasi gives (jitsi-protocol.md §2).

#include "xmpp/rayo.hpp"

namespace jigasi::xmpp {
namespace {

parse_error fail(parse_errc e, std::string diag) { return {make_error_code(e), std::move(diag)}; }

bool has_control(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
    return false;
}

/// The single Rayo payload `name` of an <iq type='set'>, or why not.
parse_result<const element*> rayo_payload(const element& iq, std::string_view name) {
    if (iq.name() != "iq" || iq.attr_or("type") != "set")
        return fail(parse_errc::wrong_stanza, "not an <iq type='set'>");
    const element* p = iq.child(name, ns::rayo);
    if (!p) return fail(parse_errc::wrong_stanza, "no <" + std::string(name) + " xmlns='urn:xmpp:rayo:1'/>");
    return p;
}

/// JvbRoomName (§2.1): a bare JID, "@<muc service>" appended when it has no '@'.
parse_result<jid> room_jid(std::string_view value, std::string_view muc_service) {
    std::string text(value);
    if (!text.empty() && text.find('@') == std::string::npos && !muc_service.empty())
        text.append("@").append(muc_service);
    auto room = jid::parse(text);
    if (!room) return parse_error{room.error().code, "JvbRoomName '" + text + "': " + room.error().diagnostic};
    if (room->local().empty() || room->is_full())
        return fail(parse_errc::jid_bad_localpart, "JvbRoomName '" + text + "' is not a bare room JID");
    return room;
}

}  // namespace

parse_result<dial_request> parse_dial(const element& iq, std::string_view muc_service, const dial_limits& limits) {
    auto payload = rayo_payload(iq, "dial");
    if (!payload) return payload.error();
    const element& dial = **payload;

    dial_request d;
    d.id = iq.attr_or("id");
    auto from = attr_jid(iq, "from");
    if (!from) return fail(parse_errc::bad_value, "the dial IQ's from is not a JID");
    d.from = std::move(*from);
    d.destination = dial.attr_or("to");
    d.caller = dial.attr_or("from");
    if (d.destination.empty()) return fail(parse_errc::missing_attribute, "<dial/> has no 'to' destination");
    if (d.destination.size() > limits.max_value || d.caller.size() > limits.max_value)
        return fail(parse_errc::limit_exceeded, "<dial/> to/from longer than " + std::to_string(limits.max_value));
    if (has_control(d.destination)) return fail(parse_errc::bad_value, "control character in the dial destination");

    const auto headers = dial.children("header", ns::rayo);
    if (headers.size() > limits.max_headers)
        return fail(parse_errc::limit_exceeded, std::to_string(headers.size()) + " headers, at most " +
                                                    std::to_string(limits.max_headers));
    std::optional<std::string> room_name;
    for (const element* h : headers) {
        const auto name = h->attr_or("name");
        const auto value = h->attr_or("value");
        if (name.empty()) return fail(parse_errc::bad_value, "<header/> without a name");
        if (name.size() > limits.max_value || value.size() > limits.max_value)
            return fail(parse_errc::limit_exceeded, "header '" + std::string(name.substr(0, 64)) + "' too long");
        // A repeated room header is ambiguous: Jicofo checked one of them against the room (§1.2 3).
        if (name == header_room_name || name == header_room_password) {
            auto& slot = name == header_room_name ? room_name : d.room_password;
            if (slot) return fail(parse_errc::bad_value, "header " + std::string(name) + " given twice");
            slot = std::string(value);
        } else {
            d.extra_headers.push_back({std::string(name), std::string(value)});
        }
    }
    if (!room_name) return fail(parse_errc::missing_element, "<dial/> has no JvbRoomName header");
    auto room = room_jid(*room_name, muc_service);
    if (!room) return room.error();
    d.room = std::move(*room);
    return d;
}

bool dial_sender_allowed(const jid& from, const jid& allowed) {
    return allowed.empty() || (!from.empty() && from.bare() == allowed.bare());
}

element build_dial_result(const element& request, std::string_view uri) {
    element ref("ref", std::string(ns::rayo));
    ref.set_attr("uri", std::string(uri));
    return iq_result(request, std::move(ref));
}

std::string occupant_uri(const jid& occupant) { return "xmpp:" + occupant.to_string(); }

jid call_resource(std::uint32_t random, std::string_view domain) {
    auto j = jid::make(random_nick(random), domain);
    return j ? *j : jid{};
}

element build_dial_not_acceptable(const element& request) { return build_dial_result(request, "not_acceptable"); }

stanza_error dial_bad_request(const parse_error& e) {
    return {error_type::modify, "bad-request", e.diagnostic};
}

stanza_error dial_forbidden() { return {error_type::cancel, "forbidden", {}}; }

stanza_error dial_failed(std::string text) {
    return {error_type::cancel, "internal-server-error", std::move(text)};
}

parse_result<hangup_request> parse_hangup(const element& iq) {
    auto payload = rayo_payload(iq, "hangup");
    if (!payload) return payload.error();
    auto from = attr_jid(iq, "from");
    auto to = attr_jid(iq, "to");
    if (!from || !to) return fail(parse_errc::bad_value, "the hangup IQ's from or to is not a JID");
    return hangup_request{std::string(iq.attr_or("id")), std::move(*from), std::move(*to)};
}

element build_call_state(const element& last_presence, std::string_view status) {
    element p = last_presence;
    p.remove_children("x", ns::muc);
    p.remove_children("status");
    p.add("status").add_text(status);
    return p;
}

}  // namespace jigasi::xmpp
