// Mute IQs, AV moderation messages and startMuted metadata (jitsi-protocol.md §3.6).

#include "xmpp/mute.hpp"

#include "xmpp/muc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>

namespace jigasi::xmpp {
namespace json = boost::json;
namespace {

constexpr std::size_t max_json = 64 * 1024;
constexpr std::array<std::string_view, 3> mute_namespaces{ns_audio_mute, ns_video_mute, ns_desktop_mute};

parse_error fail(parse_errc e, std::string diag) { return {make_error_code(e), std::move(diag)}; }

/// Java's Boolean.parseBoolean accepts any case; anything but true/false is refused here.
std::optional<bool> read_bool(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    auto is = [&](std::string_view w) {
        if (s.size() != w.size()) return false;
        for (std::size_t i = 0; i < s.size(); ++i)
            if ((s[i] | 0x20) != w[i]) return false;
        return true;
    };
    if (is("true")) return true;
    if (is("false")) return false;
    return std::nullopt;
}

/// A JSON object from untrusted text: bounded size and depth, no exceptions.
std::optional<json::object> json_object(std::string_view text) {
    if (text.size() > max_json) return std::nullopt;
    json::parse_options opt;
    opt.max_depth = 16;
    std::error_code ec;
    json::value v = json::parse(text, ec, {}, opt);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

}  // namespace

std::string_view mute_namespace(mute_media m) { return mute_namespaces[static_cast<std::size_t>(m)]; }

parse_result<mute_request> parse_mute(const element& iq) {
    if (iq.name() != "iq" || iq.attr_or("type") != "set") return fail(parse_errc::wrong_stanza, "not an <iq type='set'>");
    const element* m = nullptr;
    mute_request r;
    for (std::size_t i = 0; i < mute_namespaces.size() && !m; ++i)
        if ((m = iq.child("mute", mute_namespaces[i]))) r.media = static_cast<mute_media>(i);
    if (!m) return fail(parse_errc::wrong_stanza, "no <mute xmlns='http://jitsi.org/jitmeet/audio'/>");
    auto value = read_bool(m->text());
    if (!value) return fail(parse_errc::bad_value, "<mute/> text is not true or false");
    auto from = attr_jid(iq, "from");
    if (!from) return fail(parse_errc::bad_value, "the mute IQ's from is not a JID");
    r.id = iq.attr_or("id");
    r.from = std::move(*from);
    r.mute = *value;
    if (auto a = attr_jid(*m, "actor"); a && !a->empty()) r.actor = std::move(*a);
    if (auto t = attr_jid(*m, "jid"); t && !t->empty()) r.target = std::move(*t);
    return r;
}

bool mute_from_focus(const mute_request& r, const jid& room, std::string_view focus_nick) {
    return r.from.is_full() && r.from.bare() == room.bare() && r.from.resource() == focus_nick;
}

stanza_error mute_not_from_focus() { return {error_type::cancel, "item-not-found", {}}; }

stanza_error mute_unsupported() { return {error_type::cancel, "feature-not-implemented", {}}; }

element build_mute_result(const element& request) { return iq_result(request); }

element build_mute_request(const jid& focus_occupant, std::string_view id, const jid& target, bool mute,
                           mute_media media) {
    element iq = make_iq("set", focus_occupant.to_string(), id);
    iq.add("mute", std::string(mute_namespace(media)))
        .set_attr("jid", target.to_string())
        .add_text(mute ? "true" : "false");
    return iq;
}

parse_result<av_moderation> parse_av_moderation(const element& message) {
    const element* jm = message.name() == "message" ? message.child("json-message", ns_jitmeet) : nullptr;
    if (!jm) return fail(parse_errc::wrong_stanza, "no <json-message xmlns='http://jitsi.org/jitmeet'/>");
    const std::string text = jm->text();
    if (text.size() > max_json) return fail(parse_errc::limit_exceeded, "json-message over 64 KiB");
    auto obj = json_object(text);
    if (!obj) return fail(parse_errc::bad_value, "json-message is not a JSON object");
    const json::value* type = obj->if_contains("type");
    if (!type || !type->is_string() || type->as_string() != "av_moderation")
        return fail(parse_errc::wrong_stanza, "json-message is not of type av_moderation");
    const json::value* media = obj->if_contains("mediaType");
    if (!media || !media->is_string()) return fail(parse_errc::missing_attribute, "av_moderation without mediaType");

    av_moderation a;
    a.media = std::string(media->as_string());
    struct flag {
        std::string_view key;
        std::optional<bool> value;
    };
    std::array<flag, 3> flags{{{"enabled", {}}, {"approved", {}}, {"removed", {}}}};
    for (auto& f : flags) {
        const json::value* v = obj->if_contains(f.key);
        if (!v) continue;
        if (!v->is_bool()) return fail(parse_errc::bad_value, "av_moderation " + std::string(f.key) + " is not a boolean");
        f.value = v->as_bool();
    }
    a.enabled = flags[0].value;
    a.approved = flags[1].value.value_or(false);
    a.removed = flags[2].value.value_or(false);
    if (const json::value* actor = obj->if_contains("actor"); actor && actor->is_string())
        a.actor = std::string(actor->as_string());
    return a;
}

std::optional<bool> start_muted_audio(std::string_view metadata_json) {
    auto obj = json_object(metadata_json);
    if (!obj) return std::nullopt;
    const json::object* o = &*obj;
    if (const json::value* m = o->if_contains("metadata"); m && m->is_object()) o = &m->as_object();
    const json::value* sm = o->if_contains("startMuted");
    if (!sm || !sm->is_object()) return std::nullopt;
    const json::value* audio = sm->as_object().if_contains("audio");
    if (!audio || !audio->is_bool()) return std::nullopt;
    return audio->as_bool();
}

}  // namespace jigasi::xmpp
