// Jingle names, the error category and the direction mapping shared by jingle_parse.cpp and
// jingle_build.cpp.

#include "xmpp/jingle.hpp"

#include <array>

namespace jigasi::xmpp::jingle {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "jingle"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::not_jingle:
                return "not a Jingle element";
            case errc::missing_attribute:
                return "missing Jingle attribute";
            case errc::bad_number:
                return "bad number in Jingle";
            case errc::bad_value:
                return "bad value in Jingle";
            case errc::duplicate:
                return "duplicate Jingle element";
            case errc::limit_exceeded:
                return "Jingle limit exceeded";
        }
        return "unknown Jingle error " + std::to_string(ev);
    }
};

struct action_name {
    action a;
    std::string_view name;
};

// XEP-0166 §7.2 plus Jitsi's source-add/-remove and their legacy spellings (§4.3).
constexpr std::array<action_name, 19> actions{{
    {action::session_initiate, "session-initiate"},
    {action::session_accept, "session-accept"},
    {action::session_terminate, "session-terminate"},
    {action::session_info, "session-info"},
    {action::transport_info, "transport-info"},
    {action::transport_replace, "transport-replace"},
    {action::transport_accept, "transport-accept"},
    {action::transport_reject, "transport-reject"},
    {action::source_add, "source-add"},
    {action::source_remove, "source-remove"},
    {action::source_add, "addsource"},
    {action::source_remove, "removesource"},
    {action::other, "content-accept"},
    {action::other, "content-add"},
    {action::other, "content-modify"},
    {action::other, "content-reject"},
    {action::other, "content-remove"},
    {action::other, "description-info"},
    {action::other, "security-info"},
}};

}  // namespace

const std::error_category& category() noexcept {
    static const category_impl instance;
    return instance;
}

std::string_view to_string(action a) {
    if (a == action::other || a == action::unknown) return {};
    for (const auto& [k, name] : actions)
        if (k == a) return name;  // the first spelling is the current one
    return {};
}

action parse_action(std::string_view name) {
    for (const auto& [k, n] : actions)
        if (n == name) return k;
    return action::unknown;
}

std::string_view to_string(role r) {
    return r == role::initiator ? "initiator" : "responder";
}

std::string_view to_string(senders s) {
    switch (s) {
        case senders::both:
            return "both";
        case senders::initiator:
            return "initiator";
        case senders::responder:
            return "responder";
        case senders::none:
            return "none";
    }
    return "both";
}

std::optional<role> parse_role(std::string_view s) {
    if (s == "initiator") return role::initiator;
    if (s == "responder") return role::responder;
    return std::nullopt;
}

std::optional<senders> parse_senders(std::string_view s) {
    for (auto v : {senders::both, senders::initiator, senders::responder, senders::none})
        if (to_string(v) == s) return v;
    return std::nullopt;
}

media::direction to_direction(senders s, role author) {
    using media::direction;
    switch (s) {
        case senders::both:
            return direction::sendrecv;
        case senders::none:
            return direction::inactive;
        case senders::initiator:
            return author == role::initiator ? direction::sendonly : direction::recvonly;
        case senders::responder:
            return author == role::responder ? direction::sendonly : direction::recvonly;
    }
    return direction::sendrecv;
}

senders to_senders(media::direction d, role author) {
    const senders self = author == role::initiator ? senders::initiator : senders::responder;
    const senders peer = author == role::initiator ? senders::responder : senders::initiator;
    switch (d) {
        case media::direction::sendrecv:
            return senders::both;
        case media::direction::sendonly:
            return self;
        case media::direction::recvonly:
            return peer;
        case media::direction::inactive:
            return senders::none;
    }
    return senders::both;
}

media::source local_audio_source(std::uint32_t ssrc, std::string_view endpoint_id,
                                 std::string_view cname) {
    const std::string ep(endpoint_id);
    // RFC 8830 msid = "<stream id> <track id>"; Jitsi desktop also sent the same pair as the legacy
    // mslabel (stream) and label (track) that older Jicofo/JVB read.
    const std::string stream = ep + "-audio-0-1";
    const std::string track = ep + "-a0";
    media::source s;
    s.ssrc = ssrc;
    s.name = track;  // §4.2: "<nick>-a0", the name the bridge and browsers use
    s.owner = ep;
    s.params = {{"cname", std::string(cname)},
                {"msid", stream + " " + track},
                {"mslabel", stream},
                {"label", track}};
    return s;
}

}  // namespace jigasi::xmpp::jingle
