// Jingle parsing (XEP-0166 §7 and the application and transport XEPs named in jingle.hpp) into
// media::description: the session, its contents and their ICE-UDP transports; the RTP description
// is in jingle_parse_rtp.cpp. Network input: every failure is an error value naming the element,
// every count is bounded by parse_limits, nothing throws on bad input. Unknown elements and
// attributes are ignored, as Jingle's extensibility expects.

#include "xmpp/jingle_parse_detail.hpp"

#include <charconv>

namespace jigasi::xmpp::jingle {
namespace detail {

std::string quoted(std::string_view v) {
    std::string out = "'";
    for (char c : v.substr(0, 40))
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    if (v.size() > 40) out += "...";
    return out + "'";
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    return true;
}

std::optional<std::uint64_t> to_uint(std::string_view s, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = 0;
    const char* end = s.data() + s.size();
    // from_chars takes no sign or blanks for unsigned types: "abc", "-1", " 5" and "" fail.
    const auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end || v < min || v > max) return std::nullopt;
    return v;
}

std::vector<const element*> named(const element& e, std::string_view name) {
    std::vector<const element*> out;
    for (const element* c : e.elements())
        if (c->name() == name) out.push_back(c);
    return out;
}

bool parser::token(const element& e, std::string_view attr, std::string& out, bool required) {
    const auto v = e.attr(attr);
    if (!v)
        return !required ||
               fail(errc::missing_attribute, "<" + e.name() + "> without " + std::string(attr));
    if (!is_token(*v) || v->size() > lim_.max_text)
        return fail(errc::bad_value, "<" + e.name() + "> " + std::string(attr) + " " + quoted(*v) +
                                         " is empty or has blanks");
    out = std::string(*v);
    return true;
}

result<message> parser::run(const element& j) {
    if (!j.is("jingle", ns::jingle))
        return error{errc::not_jingle, "expected <jingle xmlns='urn:xmpp:jingle:1'>, got <" +
                                           quoted(j.name()) + "> in " + quoted(j.ns())};
    // XEP-0166 §7.1: action and sid are REQUIRED; initiator/responder are RECOMMENDED only.
    const auto act = j.attr("action");
    if (!act || act->empty()) return error{errc::missing_attribute, "<jingle> without action"};
    const auto sid = j.attr("sid");
    if (!sid || sid->empty()) return error{errc::missing_attribute, "<jingle> without sid"};
    msg_.act = parse_action(*act);
    msg_.action_name = std::string(*act);
    msg_.sid = std::string(*sid);
    msg_.initiator = std::string(j.attr_or("initiator"));
    msg_.responder = std::string(j.attr_or("responder"));

    for (const element* c : j.elements()) {
        bool ok = true;
        if (c->is("content", ns::jingle))
            ok = content(*c);
        else if (c->is("reason", ns::jingle))
            ok = read_reason(*c);
        else if (c->is("group", ns_grouping))
            ok = group(*c);
        else if (c->is("bridge-session", ns_focus))
            msg_.bridge_session_id = c->attr_or("id");
        else if (c->is("startmuted", ns_start_muted)) {
            const auto audio = c->attr_or("audio");
            if (audio == "true" || audio == "1")
                msg_.start_audio_muted = true;
            else if (audio == "false" || audio == "0")
                msg_.start_audio_muted = false;
        } else if (c->is("json-message", ns_jitmeet)) {
            std::string text = c->text();
            if (text.size() > lim_.max_json)
                ok = limit(lim_.max_json, lim_.max_json, "JSON bytes");
            else
                msg_.json_sources = std::move(text);
        }
        if (!ok) return std::move(*err_);
    }
    if (!msg_.json_sources.empty() && !json_sources()) return std::move(*err_);
    return std::move(msg_);
}

bool parser::json_sources() {
    auto list = decode_json_sources(msg_.json_sources, lim_);
    if (!list) return fail(list.error().code == make_error_code(errc::limit_exceeded) ? errc::limit_exceeded : errc::bad_value,
                           "<json-message> sources: " + list.error().diagnostic);
    msg_.json_video_sources = list->video;
    media_section* audio = nullptr;
    for (auto& m : msg_.desc.media)
        if (m.kind == media::media_kind::audio || (m.kind == media::media_kind::other && m.mid == "audio")) {
            audio = &m;
            break;
        }
    if (!audio) {
        if (list->audio.empty()) return true;
        if (!limit(msg_.contents.size(), lim_.max_contents, "contents")) return false;
        media_section m;
        m.mid = "audio";
        m.port = 9;
        m.kind = media::media_kind::audio;
        msg_.desc.media.push_back(std::move(m));
        content_info info;
        info.name = "audio";
        msg_.contents.push_back(std::move(info));
        audio = &msg_.desc.media.back();
    }
    audio->kind = media::media_kind::audio;
    if (!limit(audio->sources.size() + list->audio.size(), lim_.max_sources + 1, "sources")) return false;
    for (auto& src : list->audio) audio->sources.push_back(std::move(src));
    for (auto& g : list->audio_groups) audio->extra.push_back(std::move(g));
    return true;
}

bool parser::content(const element& c) {
    where_.clear();
    if (!limit(msg_.contents.size(), lim_.max_contents, "contents")) return false;
    content_info info;
    if (!token(c, "name", info.name, true)) return false;
    for (const auto& other : msg_.contents)
        if (other.name == info.name)
            return fail(errc::duplicate, "two contents named " + quoted(info.name));
    where_ = "content " + quoted(info.name) + ": ";

    // XEP-0166 §7.3: creator names who made the content; senders is "both" when absent.
    const auto creator = c.attr_or("creator", "initiator");
    const auto r = parse_role(creator);
    if (!r) return fail(errc::bad_value, "<content> creator " + quoted(creator) + " is not a role");
    info.creator = *r;
    const auto who = c.attr_or("senders", "both");
    const auto s = parse_senders(who);
    if (!s)
        return fail(errc::bad_value,
                    "<content> senders " + quoted(who) + " is not a senders value");
    info.who = *s;

    media_section m;
    m.mid = info.name;
    m.port = 9;  // the dummy port of trickle ICE (RFC 8840): the addresses are in the candidates
    m.dir = to_direction(info.who, peer_);
    m.kind = media::media_kind::other;  // stays so without an RTP description (transport-info)
    m.profile = media::transport_profile::rtp_avp;  // XEP-0167's default profile
    bool profile_given = false;
    for (const element* e : c.elements()) {
        if (e->is("description", ns::jingle_rtp) && !info.has_description) {
            info.has_description = true;
            profile_given = e->attr("profile").has_value();
            if (!description(*e, m)) return false;
        } else if (e->is("transport", ns::jingle_ice) && !info.has_transport) {
            info.has_transport = true;
            if (!transport(*e, m)) return false;
        } else if (e->name() == "transport" && e->ns() != ns::jingle_ice) {
            info.other_transport = e->ns();
        }
    }
    // DTLS-SRTP (RFC 5764) with AVPF feedback: the profile Jitsi's SDP side writes.
    if (!profile_given && !m.dtls.fingerprint.empty())
        m.profile = media::transport_profile::udp_tls_rtp_savpf;
    msg_.desc.media.push_back(std::move(m));
    msg_.contents.push_back(std::move(info));
    where_.clear();
    return true;
}

bool parser::transport(const element& t, media_section& m) {
    const auto ufrag = t.attr_or("ufrag");
    const auto pwd = t.attr_or("pwd");
    if (ufrag.size() > lim_.max_text || pwd.size() > lim_.max_text)
        return fail(errc::limit_exceeded, "ICE ufrag or pwd too long");
    m.ice.ufrag = std::string(ufrag);
    m.ice.pwd = std::string(pwd);
    for (const element* e : t.elements()) {
        if (e->is("candidate", ns::jingle_ice)) {
            if (!candidate(*e, m)) return false;
        } else if (e->is("fingerprint", ns::jingle_dtls) && m.dtls.fingerprint.empty()) {
            // XEP-0320; the first fingerprint wins, as with SDP's a=fingerprint.
            if (!token(*e, "hash", m.dtls.hash, true)) return false;
            if (const auto setup = e->attr("setup")) {
                const auto role = media::parse_setup_role(*setup);
                if (!role) return fail(errc::bad_value, "<fingerprint> setup " + quoted(*setup));
                m.dtls.setup = *role;
            }
            const std::string text = e->text();
            const auto value = trim(text);
            if (value.empty()) return fail(errc::bad_value, "empty <fingerprint>");
            if (value.size() > lim_.max_text)
                return fail(errc::limit_exceeded, "fingerprint too long");
            m.dtls.fingerprint = std::string(value);
        } else if (e->name() == "rtcp-mux") {
            m.rtcp_mux = true;
        } else if (e->is("web-socket", ns_colibri) && msg_.web_socket_url.empty()) {
            msg_.web_socket_url = std::string(e->attr_or("url"));
        }
    }
    return true;
}

bool parser::candidate(const element& c, media_section& m) {
    if (!limit(m.ice.candidates.size(), lim_.max_candidates, "candidates")) return false;
    const std::string outer = where_;
    where_ += "candidate " + std::to_string(m.ice.candidates.size() + 1) + ": ";
    media::ice_candidate k;
    // XEP-0176 (RFC 8445: component 1..256, priority a 32-bit number). type and generation are
    // REQUIRED too, but their defaults (host, 0) are what a missing one must mean.
    const bool ok = number(c, "component", 1, 256, k.component, true) &&
                    token(c, "foundation", k.foundation, true) &&
                    number(c, "generation", 0, u32_max, k.generation, false) &&
                    token(c, "ip", k.address, true) &&
                    number(c, "port", 0, u16_max, k.port, true) &&
                    number(c, "priority", 0, u32_max, k.priority, true) &&
                    token(c, "protocol", k.transport, true) && token(c, "type", k.type, false) &&
                    token(c, "rel-addr", k.related_address, false) &&
                    number(c, "rel-port", 0, u16_max, k.related_port, false) &&
                    token(c, "tcptype", k.tcp_type, false);
    if (!ok) return false;
    if (k.related_address.empty()) k.related_port = 0;  // meaningless alone
    where_ = outer;
    m.ice.candidates.push_back(std::move(k));
    return true;
}

bool parser::group(const element& g) {
    // XEP-0338 (RFC 5888 a=group): BUNDLE into the model, any other semantics kept as an extra.
    std::string semantics;
    if (!token(g, "semantics", semantics, true)) return false;
    std::vector<std::string> names;
    for (const element* c : named(g, "content")) {
        if (!limit(names.size(), lim_.max_group, "contents in a group")) return false;
        std::string name;
        if (!token(*c, "name", name, true)) return false;
        names.push_back(std::move(name));
    }
    if (semantics == "BUNDLE" && msg_.desc.bundle.empty()) {
        msg_.desc.bundle = std::move(names);
        return true;
    }
    for (const auto& n : names) semantics += " " + n;
    return extra(msg_.desc.extra, "group", std::move(semantics));
}

bool parser::read_reason(const element& r) {
    // XEP-0166 §7.4: one condition element, an optional <text/>, then application conditions.
    jingle::reason why;
    for (const element* e : r.elements())
        if (e->ns() == ns::jingle && e->name() != "text") {
            why.condition = e->name();
            break;
        }
    why.text = r.child_text("text");
    if (why.text.size() > lim_.max_text) return fail(errc::limit_exceeded, "reason text too long");
    msg_.reason = std::move(why);
    return true;
}

}  // namespace detail

result<message> parse(const element& jingle, role our_role, const parse_limits& limits) {
    return detail::parser(our_role, limits).run(jingle);
}

}  // namespace jigasi::xmpp::jingle
