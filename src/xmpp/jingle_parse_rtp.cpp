// Jingle RTP description parsing (XEP-0167 with XEP-0293 rtcp-fb, XEP-0294 rtp-hdrext, XEP-0339
// sources) into a media_section. Same rules as jingle_parse.cpp: errors are values, counts bounded.

#include "xmpp/jingle_parse_detail.hpp"

namespace jigasi::xmpp::jingle::detail {

bool parser::description(const element& d, media_section& m) {
    ssrcs_.clear();
    // XEP-0167: media is REQUIRED.
    std::string kind;
    if (!token(d, "media", kind, true)) return false;
    if (const auto k = media::parse_media_kind(kind))
        m.kind = *k;
    else
        m.kind_token = std::move(kind);
    if (const auto p = d.attr("profile")) {
        if (const auto known = media::parse_profile(*p))
            m.profile = *known;
        else if (!token(d, "profile", m.profile_token, true))
            return false;
        else
            m.profile = media::transport_profile::other;
    }
    if (!number(d, "ptime", 0, u16_max, m.ptime, false) ||
        !number(d, "maxptime", 0, u16_max, m.maxptime, false))
        return false;
    // The legacy description ssrc attribute (§4.2) repeats a <source>; the sources are what counts.
    for (const element* e : d.elements()) {
        bool ok = true;
        const auto& name = e->name();
        if (e->is("payload-type", ns::jingle_rtp))
            ok = payload(*e, m);
        else if (e->is("rtp-hdrext", ns_hdrext))
            ok = hdrext(*e, m);
        else if (e->is("source", ns_ssma))
            ok = source(*e, m);
        else if (e->is("ssrc-group", ns_ssma))
            ok = ssrc_group(*e, m);
        else if (e->ns() == ns_rtcp_fb && (name == "rtcp-fb" || name == "rtcp-fb-trr-int"))
            ok = rtcp_fb(*e, "*", m);  // XEP-0293: at description level, for every payload type
        else if (name == "extmap-allow-mixed")
            msg_.desc.extmap_allow_mixed = true;
        else if (name == "rtcp-mux")
            m.rtcp_mux = true;
        if (!ok) return false;
    }
    return true;
}

bool parser::payload(const element& p, media_section& m) {
    if (!limit(m.payload_types.size(), lim_.max_payload_types, "payload types")) return false;
    media::payload_type pt;
    // RFC 3550 §5.1: payload type numbers are 7 bits.
    if (!number(p, "id", 0, 127, pt.pt, true)) return false;
    if (media::find_payload(m, pt.pt))
        return fail(errc::duplicate, "two payload types with id " + std::to_string(pt.pt));
    if (p.attr("name")) {
        if (!token(p, "name", pt.encoding, true)) return false;
    } else {
        pt = media::static_payload_type(pt.pt);  // XEP-0167: name MAY be absent for static ones
    }
    if (!number(p, "clockrate", 1, u32_max, pt.clock_rate, false) ||
        !number(p, "channels", 1, 255, pt.channels, false) || !parameters(p, pt.fmtp))
        return false;
    // XEP-0167 puts ptime/maxptime on the payload type; the model has one per section.
    if (m.ptime == 0 && !number(p, "ptime", 0, u16_max, m.ptime, false)) return false;
    if (m.maxptime == 0 && !number(p, "maxptime", 0, u16_max, m.maxptime, false)) return false;
    const std::string id = std::to_string(pt.pt);
    for (const element* e : p.elements())
        if (e->ns() == ns_rtcp_fb && (e->name() == "rtcp-fb" || e->name() == "rtcp-fb-trr-int"))
            if (!rtcp_fb(*e, id, m)) return false;
    m.payload_types.push_back(std::move(pt));
    return true;
}

bool parser::parameters(const element& e, std::vector<media::parameter>& out) {
    for (const element* p : named(e, "parameter")) {
        if (!limit(out.size(), lim_.max_parameters, "parameters")) return false;
        auto name = p->attr_or("name");
        auto value = p->attr_or("value");
        if (name.size() > lim_.max_text || value.size() > lim_.max_text)
            return fail(errc::limit_exceeded,
                        "<parameter> longer than " + std::to_string(lim_.max_text));
        if (name.empty()) std::swap(name, value);  // a bare fmtp token such as "0-16"
        if (name.empty()) continue;
        out.push_back({std::string(name), std::string(value)});
    }
    return true;
}

bool parser::rtcp_fb(const element& fb, std::string_view pt, media_section& m) {
    // XEP-0293 -> RFC 4585 §4.2 "a=rtcp-fb:<pt|*> <type> [<subtype>]" / "<pt> trr-int <ms>".
    std::string value(pt);
    if (fb.name() == "rtcp-fb-trr-int") {
        std::uint32_t ms = 0;
        if (!number(fb, "value", 0, u32_max, ms, true)) return false;
        value += " trr-int " + std::to_string(ms);
    } else {
        std::string type, subtype;
        if (!token(fb, "type", type, true) || !token(fb, "subtype", subtype, false)) return false;
        value += " " + type;
        if (!subtype.empty()) value += " " + subtype;
    }
    return extra(m.extra, "rtcp-fb", std::move(value));
}

bool parser::hdrext(const element& h, media_section& m) {
    if (!limit(m.header_extensions.size(), lim_.max_header_extensions, "header extensions"))
        return false;
    media::header_extension x;
    // RFC 8285 §5: 1-14 for one-byte headers, up to 255 with two-byte headers.
    if (!number(h, "id", 1, 255, x.id, true) || !token(h, "uri", x.uri, true)) return false;
    for (const auto& other : m.header_extensions)
        if (other.id == x.id)
            return fail(errc::duplicate, "two header extensions with id " + std::to_string(x.id));
    if (const auto s = h.attr("senders")) {  // XEP-0294: same values as content senders
        const auto who = parse_senders(*s);
        if (!who) return fail(errc::bad_value, "<rtp-hdrext> senders " + quoted(*s));
        x.dir = to_direction(*who, peer_);
    }
    std::vector<media::parameter> params;  // XEP-0294: extension attributes
    if (!parameters(h, params)) return false;
    for (const auto& p : params) {
        if (!x.attributes.empty()) x.attributes += ' ';
        x.attributes += p.value.empty() ? p.name : p.name + "=" + p.value;
    }
    m.header_extensions.push_back(std::move(x));
    return true;
}

bool parser::source(const element& s, media_section& m) {
    if (!limit(m.sources.size(), lim_.max_sources, "sources")) return false;
    media::source src;
    if (!number(s, "ssrc", 0, u32_max, src.ssrc, true)) return false;
    // RFC 3550 §8.2 lets SSRCs collide across participants, but one description listing one twice
    // is malformed (Jicofo itself rejects that with bad-request, §4.2).
    if (!ssrcs_.insert(src.ssrc).second)
        return fail(errc::duplicate, "two sources with ssrc " + std::to_string(src.ssrc));
    const auto name = s.attr_or("name");
    if (name.size() > lim_.max_text) return fail(errc::limit_exceeded, "source name too long");
    src.name = std::string(name);
    if (const element* info = s.child("ssrc-info", ns_jitmeet)) {
        const auto owner = info->attr_or("owner");
        if (owner.size() > lim_.max_text) return fail(errc::limit_exceeded, "owner too long");
        src.owner = std::string(owner);
    }
    if (!parameters(s, src.params)) return false;
    m.sources.push_back(std::move(src));
    return true;
}

bool parser::ssrc_group(const element& g, media_section& m) {
    // XEP-0339 -> RFC 5576 §4.2 "a=ssrc-group:<semantics> <ssrc>...".
    std::string value;
    if (!token(g, "semantics", value, true)) return false;
    std::size_t n = 0;
    for (const element* s : named(g, "source")) {
        if (!limit(n++, lim_.max_parameters, "sources in an ssrc-group")) return false;
        std::uint32_t ssrc = 0;
        if (!number(*s, "ssrc", 0, u32_max, ssrc, true)) return false;
        value += " " + std::to_string(ssrc);
    }
    return extra(m.extra, "ssrc-group", std::move(value));
}

}  // namespace jigasi::xmpp::jingle::detail
