// Our conference presence, disco#info and caps (jitsi-protocol.md §3.3), and the occupant tracker
// (XEP-0045 §7.2, §9, §10.9 as Prosody and Jicofo use them, §3.5-§3.8).

#include "xmpp/muc.hpp"

#include "core/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

namespace jigasi::xmpp {

using core::base64_decode;
using core::base64_encode;
namespace {

element& add_text_child(element& parent, std::string_view name, std::string_view text) {
    element& c = parent.add(std::string(name));
    if (!text.empty()) c.add_text(text);
    return c;
}

std::string_view bool_text(bool b) { return b ? "true" : "false"; }

std::optional<bool> read_bool(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.remove_suffix(1);
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
    return std::nullopt;
}

/// At most `max` bytes, not ending inside a UTF-8 sequence: presence text from web clients is
/// stored per occupant, so a hostile nick must not cost more than this.
std::string bounded(std::string s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
    return s;
}

constexpr std::array<std::string_view, 4> role_names{"none", "visitor", "participant", "moderator"};
constexpr std::array<std::string_view, 5> affiliation_names{"none", "outcast", "member", "admin", "owner"};

template <class E, std::size_t N>
E from_name(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return static_cast<E>(0);
}

bool has_code(const std::vector<int>& codes, int c) { return std::find(codes.begin(), codes.end(), c) != codes.end(); }

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// XEP-0045 §15.6 codes that mean the room removed us, in the order they are checked.
constexpr std::array<std::pair<int, removal>, 5> removal_codes{{{301, removal::banned},
                                                                 {307, removal::kicked},
                                                                 {321, removal::affiliation_change},
                                                                 {322, removal::members_only},
                                                                 {332, removal::shutdown}}};

}  // namespace

// ---- our presence -------------------------------------------------------------------------------

std::vector<std::string> presence_features(bool audio_mute) {
    std::vector<std::string> f{std::string(ns_jigasi), std::string(feature_dtmf)};
    if (audio_mute) f.emplace_back(feature_audio_mute);
    return f;
}

element build_presence(const participant_presence& p) {
    element pr("presence", std::string(ns::client));
    pr.set_attr("to", p.occupant.to_string());
    if (p.join) {
        element& x = pr.add("x", std::string(ns::muc));
        if (p.password) x.add("password").add_text(*p.password);
    }
    if (!p.caps_ver.empty())
        pr.add("c", std::string(ns::caps)).set_attr("hash", "sha-1").set_attr("node", p.caps_node).set_attr("ver", p.caps_ver);
    if (!p.display_name.empty()) pr.add("nick", std::string(ns_nick)).add_text(p.display_name);
    if (!p.region.empty()) add_text_child(pr, "jitsi_participant_region", p.region);
    if (!p.version.empty()) pr.add("stat").set_attr("name", "version").set_attr("value", p.version);
    if (!p.initiator.empty()) {
        element& i = pr.add("initiator", std::string(ns_jigasi));
        for (const auto& h : p.initiator)
            i.add("header", std::string(ns::rayo)).set_attr("name", h.name).set_attr("value", h.value);
    }
    if (!p.features.empty()) {
        element& f = pr.add("features");
        for (const auto& v : p.features) f.add("feature").set_attr("var", v);
    }
    if (!p.stats_id.empty()) add_text_child(pr, "stats-id", p.stats_id);
    if (p.audio_muted) add_text_child(pr, "audiomuted", bool_text(*p.audio_muted));
    if (p.video_muted) add_text_child(pr, "videomuted", bool_text(*p.video_muted));
    // §3.6: epoch ms while raised, an empty element once lowered.
    if (p.hand == hand_state::raised) add_text_child(pr, "jitsi_participant_raisedHand", std::to_string(p.hand_raised_ms));
    if (p.hand == hand_state::lowered) pr.add("jitsi_participant_raisedHand");
    if (!p.status.empty()) add_text_child(pr, "status", p.status);
    return pr;
}

element build_leave(const jid& occupant, std::string_view status) {
    element pr("presence", std::string(ns::client));
    pr.set_attr("to", occupant.to_string()).set_attr("type", "unavailable");
    if (!status.empty()) add_text_child(pr, "status", status);
    return pr;
}

// ---- disco#info and caps ------------------------------------------------------------------------

disco_info jigasi_disco_info(bool audio_mute, std::string_view name) {
    disco_info d;
    d.identities.push_back({"client", "pc", {}, std::string(name)});
    d.features = {"http://jabber.org/protocol/disco#info",  "urn:xmpp:jingle:1",
                  "urn:xmpp:jingle:apps:rtp:1",             "urn:xmpp:jingle:apps:rtp:audio",
                  "urn:xmpp:jingle:transports:ice-udp:1",   "urn:xmpp:jingle:transports:raw-udp:1",
                  "urn:xmpp:jingle:apps:dtls:0",            "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0",
                  "urn:xmpp:jingle:apps:rtp:zrtp:1",        "urn:xmpp:jingle:transfer:0",
                  "http://jabber.org/protocol/muc#rooms",   "http://jabber.org/protocol/muc#traffic",
                  std::string(ns_jigasi),                   std::string(feature_dtmf)};
    if (audio_mute) d.features.emplace_back(feature_audio_mute);
    return d;
}

std::string caps_ver(const disco_info& info) {
    auto ids = info.identities;
    std::sort(ids.begin(), ids.end(), [](const disco_identity& a, const disco_identity& b) {
        return std::tie(a.category, a.type, a.lang, a.name) < std::tie(b.category, b.type, b.lang, b.name);
    });
    std::string s;
    for (const auto& i : ids) s += i.category + '/' + i.type + '/' + i.lang + '/' + i.name + '<';
    for (const auto& f : sorted_unique(info.features)) s += f + '<';
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(s.data(), s.size(), md.data(), &len, EVP_sha1(), nullptr) != 1) return {};
    return base64_encode(std::span<const std::uint8_t>(md.data(), len));
}

bool is_disco_info_get(const element& iq) {
    return iq.name() == "iq" && iq.attr_or("type") == "get" && iq.child("query", ns::disco_info) != nullptr;
}

element build_disco_info_result(const element& request, const disco_info& info) {
    element q("query", std::string(ns::disco_info));
    if (const element* rq = request.child("query", ns::disco_info))
        if (auto node = rq->attr("node")) q.set_attr("node", std::string(*node));
    for (const auto& i : info.identities) {
        element& e = q.add("identity").set_attr("category", i.category).set_attr("type", i.type);
        if (!i.lang.empty()) e.set_attr("xml:lang", i.lang);
        if (!i.name.empty()) e.set_attr("name", i.name);
    }
    for (const auto& f : sorted_unique(info.features)) q.add("feature").set_attr("var", f);
    return iq_result(request, std::move(q));
}

// ---- tracking the room --------------------------------------------------------------------------

std::string_view to_string(muc_role r) { return role_names[static_cast<std::size_t>(r)]; }
std::string_view to_string(muc_affiliation a) { return affiliation_names[static_cast<std::size_t>(a)]; }

bool occupant::is_jigasi() const {
    return std::find(features.begin(), features.end(), ns_jigasi) != features.end();
}

std::string_view describe(join_refusal r) {
    switch (r) {
        case join_refusal::nick_conflict: return "nickname already in use";
        case join_refusal::password_required: return "room password required or wrong";
        case join_refusal::members_only: return "members-only room (lobby)";
        case join_refusal::banned: return "banned from the room";
        case join_refusal::room_full: return "room is full";
        case join_refusal::room_not_found: return "room does not exist or is locked";
        case join_refusal::creation_refused: return "room creation not allowed";
        case join_refusal::other: break;
    }
    return "join refused";
}

muc_room::muc_room(jid room, std::string nick, muc_limits limits)
    : room_(room.bare()), nick_(std::move(nick)), limits_(limits) {
    self_.nick = nick_;
}

void muc_room::rejoin(std::string nick) {
    nick_ = std::move(nick);
    state_ = state::joining;
    self_ = occupant{};
    self_.nick = nick_;
    others_.clear();
}

jid muc_room::occupant_jid() const {
    auto j = room_.with_resource(nick_);
    return j ? *j : room_;
}

const occupant* muc_room::find(std::string_view nick) const {
    auto it = others_.find(nick);
    return it == others_.end() ? nullptr : &it->second;
}

namespace {

std::vector<int> read_codes(const element* x, std::size_t max) {
    std::vector<int> codes;
    if (!x) return codes;
    for (const element* s : x->children("status")) {
        const auto v = s->attr_or("code");
        if (v.size() != 3 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (codes.size() == max) break;
        codes.push_back(std::stoi(std::string(v)));
    }
    return codes;
}

occupant read_occupant(const element& pr, std::string nick, const element* x, const muc_limits& lim) {
    occupant o;
    o.nick = std::move(nick);
    if (const element* item = x ? x->child("item") : nullptr) {
        o.role = from_name<muc_role>(role_names, item->attr_or("role"));
        o.affiliation = from_name<muc_affiliation>(affiliation_names, item->attr_or("affiliation"));
        if (auto j = attr_jid(*item, "jid"); j && !j->empty()) o.real_jid = std::move(*j);
    }
    o.display_name = bounded(pr.child_text("nick", ns_nick), lim.max_text);
    if (const element* e = pr.child("audiomuted")) o.audio_muted = read_bool(e->text());
    if (const element* e = pr.child("videomuted")) o.video_muted = read_bool(e->text());
    o.raised_hand = bounded(pr.child_text("jitsi_participant_raisedHand"), 32);
    if (const element* f = pr.child("features"))
        for (const element* v : f->children("feature")) {
            if (o.features.size() == lim.max_features) break;
            o.features.push_back(bounded(std::string(v->attr_or("var")), lim.max_text));
        }
    o.status = bounded(pr.child_text("status"), lim.max_text);
    o.region = bounded(pr.child_text("jitsi_participant_region"), lim.max_text);
    o.stats_id = bounded(pr.child_text("stats-id"), lim.max_text);
    return o;
}

join_refusal refusal_for(std::string_view condition) {
    static constexpr std::array<std::pair<std::string_view, join_refusal>, 7> map{{
        {"conflict", join_refusal::nick_conflict},
        {"not-authorized", join_refusal::password_required},
        {"registration-required", join_refusal::members_only},
        {"forbidden", join_refusal::banned},
        {"service-unavailable", join_refusal::room_full},
        {"item-not-found", join_refusal::room_not_found},
        {"not-allowed", join_refusal::creation_refused},
    }};
    for (const auto& [c, r] : map)
        if (c == condition) return r;
    return join_refusal::other;
}

/// §3.5: Jitsi's lobby module puts <lobbyroom xmlns='http://jitsi.org/jitmeet'> in the <error/>;
/// Jigasi also accepts it in jabber:client and as a direct child of the presence.
std::string lobby_room(const element& pr) {
    for (const element* where : {pr.child("error"), &pr}) {
        if (!where) continue;
        for (std::string_view ns : {ns_jitmeet, std::string_view(pr.ns())})
            if (const element* l = where->child("lobbyroom", ns)) return bounded(l->text(), 3071);
    }
    return {};
}

}  // namespace

std::optional<muc_event> muc_room::on_presence(const element& pr) {
    if (pr.name() != "presence") return std::nullopt;
    const auto from = attr_jid(pr, "from");
    if (!from || from->empty() || from->bare() != room_) return std::nullopt;
    const auto type = pr.attr_or("type");
    if (type == "error") {
        if (from->is_full() && from->resource() != nick_) return std::nullopt;
        return on_error(pr);
    }
    if (!from->is_full() || (!type.empty() && type != "unavailable") || state_ == state::left) return std::nullopt;

    const element* x = pr.child("x", ns::muc_user);
    auto codes = read_codes(x, limits_.max_status_codes);
    // XEP-0045 §7.2.3: status 110 marks our own presence; the nick match covers servers without it.
    const bool is_self = has_code(codes, 110) || from->resource() == nick_;
    occupant who = read_occupant(pr, from->resource(), x, limits_);
    if (type == "unavailable") return on_unavailable(std::move(who), std::move(codes), x, is_self);

    muc_event ev;
    ev.status_codes = std::move(codes);
    if (is_self) {
        nick_ = who.nick;  // 210: the room may have changed the nick we asked for
        if (state_ == state::joining) {
            state_ = state::joined;
            ev.kind = muc_event_kind::self_joined;
            ev.room_created = has_code(ev.status_codes, 201);
        } else {
            ev.kind = muc_event_kind::self_updated;
            ev.before = self_;
        }
        self_ = who;
    } else if (auto it = others_.find(who.nick); it != others_.end()) {
        ev.kind = muc_event_kind::occupant_updated;
        ev.before = std::exchange(it->second, who);
    } else {
        if (others_.size() >= limits_.max_occupants) return std::nullopt;
        ev.kind = muc_event_kind::occupant_joined;
        others_.emplace(who.nick, who);
    }
    ev.who = std::move(who);
    return ev;
}

std::optional<muc_event> muc_room::on_error(const element& pr) {
    muc_event ev;
    ev.error = parse_stanza_error(pr).value_or(stanza_error{});
    ev.who = self_;
    if (state_ == state::joining) {
        state_ = state::left;
        ev.kind = muc_event_kind::join_refused;
        ev.refusal = refusal_for(ev.error.condition);
        if (ev.refusal == join_refusal::members_only) ev.lobby_room = lobby_room(pr);
        ev.reason = std::string(describe(ev.refusal));
        if (ev.refusal == join_refusal::other) ev.reason += " (" + ev.error.condition + ")";
        if (!ev.error.text.empty()) ev.reason += ": " + bounded(ev.error.text, limits_.max_text);
        return ev;
    }
    if (state_ == state::left) return std::nullopt;
    ev.kind = muc_event_kind::presence_error;
    return ev;
}

std::optional<muc_event> muc_room::on_unavailable(occupant who, std::vector<int> codes, const element* x, bool is_self) {
    muc_event ev;
    ev.status_codes = std::move(codes);
    const element* item = x ? x->child("item") : nullptr;
    if (item) {
        ev.reason = bounded(item->child_text("reason"), limits_.max_text);
        if (const element* a = item->child("actor")) ev.actor = bounded(std::string(a->attr_or("nick")), limits_.max_text);
        // XEP-0045 §7.6: 303 = nick change, the new nick in <item nick>.
        if (has_code(ev.status_codes, 303)) ev.new_nick = bounded(std::string(item->attr_or("nick")), 1023);
    }
    if (!is_self) {
        auto it = others_.find(who.nick);
        if (it == others_.end()) return std::nullopt;
        ev.kind = muc_event_kind::occupant_left;
        ev.who = std::move(it->second);
        others_.erase(it);
        return ev;
    }
    if (!ev.new_nick.empty()) {
        ev.kind = muc_event_kind::self_updated;
        ev.before = self_;
        nick_ = ev.new_nick;
        self_.nick = nick_;
        ev.who = self_;
        return ev;
    }
    ev.who = self_;
    state_ = state::left;
    others_.clear();
    if (const element* d = x ? x->child("destroy") : nullptr) {  // XEP-0045 §10.9
        ev.kind = muc_event_kind::room_destroyed;
        ev.alternate_room = bounded(std::string(d->attr_or("jid")), 3071);
        ev.reason = bounded(d->child_text("reason"), limits_.max_text);
        return ev;
    }
    for (const auto& [code, why] : removal_codes)
        if (has_code(ev.status_codes, code)) {
            ev.kind = muc_event_kind::kicked;
            ev.removed_by = why;
            return ev;
        }
    ev.kind = muc_event_kind::self_left;
    return ev;
}

}  // namespace jigasi::xmpp
