// Jicofo's compact JSON source list (the json-encoded-sources form of §4.1), read into the same
// media::source model as the <source/> elements of XEP-0339.
#include "xmpp/jingle.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace json = boost::json;

namespace jigasi::xmpp::jingle {

namespace {

core::error bad(std::string what) { return {make_error_code(errc::bad_value), std::move(what)}; }

/// An SSRC as Jicofo writes it (a number) or as lib-jitsi-meet types it (a decimal string).
bool read_ssrc(const json::value& v, std::uint32_t& out) {
    std::uint64_t n = 0;
    if (v.is_uint64()) n = v.get_uint64();
    else if (v.is_int64() && v.get_int64() >= 0) n = static_cast<std::uint64_t>(v.get_int64());
    else if (v.is_string()) {
        const auto& s = v.get_string();
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || end != s.data() + s.size()) return false;
    } else return false;
    if (n == 0 || n > 0xffffffffULL) return false;
    out = static_cast<std::uint32_t>(n);
    return true;
}

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

result<json_source_list> decode_json_sources(std::string_view text, const parse_limits& limits) {
    if (text.size() > limits.max_json)
        return core::error{make_error_code(errc::limit_exceeded), "more than " + std::to_string(limits.max_json) + " bytes"};
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 8;
    const json::value doc = json::parse(text, ec, {}, opts);
    if (ec) return bad("not JSON (" + ec.message() + ")");
    const auto* root = doc.if_object();
    const auto* sources = root ? root->if_contains("sources") : nullptr;
    if (!sources || !sources->is_object()) return bad("no \"sources\" object");
    json_source_list out;
    for (const auto& [owner, lists] : sources->get_object()) {
        const auto* arr = lists.if_array();
        if (!arr || arr->size() > 4) return bad("sources of \"" + std::string(owner) + "\" are not [video, video groups, audio, audio groups]");
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const auto* list = (*arr)[i].if_array();
            if (!list) return bad("sources of \"" + std::string(owner) + "\": element " + std::to_string(i) + " is not a list");
            const bool audio = i >= 2, groups = i % 2 == 1;
            for (const auto& item : *list) {
                if (!groups) {
                    const auto* src = item.if_object();
                    std::uint32_t ssrc = 0;
                    if (!src || !src->if_contains("s") || !read_ssrc(src->at("s"), ssrc))
                        return bad("a source of \"" + std::string(owner) + "\" has no valid \"s\" (ssrc)");
                    if (out.audio.size() + out.video >= limits.max_sources)
                        return core::error{make_error_code(errc::limit_exceeded), "more than " + std::to_string(limits.max_sources) + " sources"};
                    if (!audio) {
                        ++out.video;
                        continue;
                    }
                    media::source s;
                    s.ssrc = ssrc;
                    s.owner = std::string(owner);
                    s.name = text_of(*src, "n");
                    if (auto msid = text_of(*src, "m"); !msid.empty()) s.params.push_back({"msid", std::move(msid)});
                    out.audio.push_back(std::move(s));
                } else {
                    // ["FID", 1, 2]: the SDP form "FID 1 2", as the <ssrc-group/> parser keeps it.
                    const auto* g = item.if_array();
                    if (!g || g->empty() || !(*g)[0].is_string() || g->size() > 16)
                        return bad("an ssrc group of \"" + std::string(owner) + "\" is not [\"SEMANTICS\", ssrc...]");
                    if (!audio) continue;
                    std::string value((*g)[0].get_string());
                    for (std::size_t k = 1; k < g->size(); ++k) {
                        std::uint32_t ssrc = 0;
                        if (!read_ssrc((*g)[k], ssrc)) return bad("an ssrc group of \"" + std::string(owner) + "\" has a bad ssrc");
                        value += " " + std::to_string(ssrc);
                    }
                    if (out.audio_groups.size() >= limits.max_extra)
                        return core::error{make_error_code(errc::limit_exceeded), "too many ssrc groups"};
                    out.audio_groups.push_back({"ssrc-group", std::move(value)});
                }
            }
        }
    }
    return out;
}

}  // namespace jigasi::xmpp::jingle
