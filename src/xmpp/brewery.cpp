// Brewery stats presence (jitsi-protocol.md §1.1).

#include "xmpp/brewery.hpp"

#include <charconv>
#include <cmath>

namespace jigasi::xmpp {
namespace {

std::string_view bool_text(bool b) { return b ? "true" : "false"; }

/// Shortest round-trip decimal, with ".0" added to integers as Java's Double.toString does
/// (Jigasi publishes "0.0" when idle). Not-finite values read as 0.
std::string double_text(double v) {
    if (!std::isfinite(v)) v = 0;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec != std::errc{}) return "0.0";
    std::string s(buf, end);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

void add_stat(element& stats, std::string_view name, std::string value) {
    stats.add("stat").set_attr("name", std::string(name)).set_attr("value", std::move(value));
}

}  // namespace

double brewery_stress_level(std::uint64_t conferences, std::uint64_t threshold) {
    if (threshold == 0) return 0;
    return static_cast<double>(conferences) / static_cast<double>(threshold);
}

element build_stats(const brewery_stats& s) {
    element stats("stats", std::string(ns_colibri));
    add_stat(stats, "conferences", std::to_string(s.conferences));
    add_stat(stats, "participants", std::to_string(s.participants));
    add_stat(stats, "graceful_shutdown", std::string(bool_text(s.graceful_shutdown)));
    add_stat(stats, "stress_level", double_text(s.stress_level));
    if (!s.region.empty()) add_stat(stats, "region", s.region);
    add_stat(stats, "version", s.version);
    add_stat(stats, "supports_transcription", std::string(bool_text(s.supports_transcription)));
    add_stat(stats, "supports_sip", std::string(bool_text(s.supports_sip)));
    return stats;
}

parse_result<jid> brewery_occupant(const jid& brewery_room, const jid& own_full_jid) {
    if (!own_full_jid.is_full())
        return parse_error{make_error_code(parse_errc::jid_empty), "our JID has no resource to use as brewery nick"};
    return brewery_room.with_resource(own_full_jid.resource());
}

element build_brewery_presence(const jid& occupant, const brewery_stats& s, bool join) {
    element pr("presence", std::string(ns::client));
    pr.set_attr("to", occupant.to_string());
    if (join) pr.add("x", std::string(ns::muc));
    pr.add(build_stats(s));
    return pr;
}

bool needs_resend(const std::optional<brewery_stats>& last_sent, const brewery_stats& now) {
    return !last_sent || *last_sent != now;
}

disco_info control_disco_info(bool legacy_component, std::string_view name) {
    disco_info d;
    if (legacy_component) d.identities.push_back({"component", "generic", {}, std::string(name)});
    else d.identities.push_back({"client", "pc", {}, std::string(name)});
    d.features = {std::string(ns::disco_info), std::string(ns_jigasi),
                  legacy_component ? "urn:xmpp:rayo:0" : std::string(ns::rayo)};
    return d;
}

}  // namespace jigasi::xmpp
