// Building the <jingle/> elements Jigasi sends (jitsi-protocol.md §4.2, §4.3) from
// media::description. We are always the responder (§4.1), so directions map with role::responder.
// Children get their parent's namespace unless stated (element::add), as the writer expects.

#include "xmpp/jingle.hpp"

#include <charconv>

namespace jigasi::xmpp::jingle {
namespace {

using media::media_section;

element make_jingle(action a, std::string_view sid, std::string_view responder) {
    element j("jingle", std::string(ns::jingle));
    j.set_attr("action", std::string(to_string(a)));
    if (!responder.empty()) j.set_attr("responder", std::string(responder));
    j.set_attr("sid", std::string(sid));
    return j;
}

element& add_content(element& j, const media_section& m, bool with_senders) {
    // Jicofo creates every content (§4.1); we answer and never content-add, so creator is fixed.
    element& c = j.add("content");
    c.set_attr("creator", "initiator");
    c.set_attr("name", m.mid);
    if (with_senders)
        c.set_attr("senders", std::string(to_string(to_senders(m.dir, role::responder))));
    return c;
}

void add_parameters(element& e, const std::vector<media::parameter>& params) {
    for (const auto& p : params) {
        element& x = e.add("parameter");
        x.set_attr("name", p.name);
        if (!p.value.empty()) x.set_attr("value", p.value);  // a bare fmtp token ("0-16") has none
    }
}

/// The words of an SDP-form extra attribute ("111 nack pli").
std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto start = s.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        s.remove_prefix(start);
        const auto end = s.find(' ');
        out.push_back(s.substr(0, end));
        s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    }
    return out;
}

bool is_u32(std::string_view s, std::uint32_t& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

/// XEP-0293 feedback of payload type `pt` ("*": description level) from "rtcp-fb" extras.
void add_rtcp_fb(element& e, const media_section& m, std::string_view pt) {
    for (const auto& a : m.extra) {
        if (a.name != "rtcp-fb") continue;
        const auto w = words(a.value);
        if (w.size() < 2 || w[0] != pt) continue;
        std::uint32_t ms = 0;
        if (w[1] == "trr-int" && w.size() > 2 && is_u32(w[2], ms)) {  // XEP-0293 <rtcp-fb-trr-int>
            e.add("rtcp-fb-trr-int", std::string(ns_rtcp_fb)).set_attr("value", std::to_string(ms));
            continue;
        }
        element& fb = e.add("rtcp-fb", std::string(ns_rtcp_fb));
        fb.set_attr("type", std::string(w[1]));
        if (w.size() > 2) fb.set_attr("subtype", std::string(w[2]));
    }
}

void add_sources(element& d, const media_section& m) {
    for (const auto& s : m.sources) {
        element& x = d.add("source", std::string(ns_ssma));
        x.set_attr("ssrc", std::to_string(s.ssrc));
        if (!s.name.empty()) x.set_attr("name", s.name);
        if (!s.owner.empty())
            x.add("ssrc-info", std::string(ns_jitmeet)).set_attr("owner", s.owner);
        add_parameters(x, s.params);
    }
    for (const auto& a : m.extra) {  // RFC 5576 §4.2 a=ssrc-group -> XEP-0339 <ssrc-group>
        if (a.name != "ssrc-group") continue;
        const auto w = words(a.value);
        if (w.empty()) continue;
        element& g = d.add("ssrc-group", std::string(ns_ssma));
        g.set_attr("semantics", std::string(w[0]));
        for (std::size_t i = 1; i < w.size(); ++i)
            g.add("source").set_attr("ssrc", std::string(w[i]));
    }
}

element& add_description_head(element& c, const media_section& m) {
    element& d = c.add("description", std::string(ns::jingle_rtp));
    d.set_attr("media", media::kind_name(m).empty() ? "audio" : std::string(media::kind_name(m)));
    return d;
}

void add_description(element& c, const media::description& desc, const media_section& m) {
    element& d = add_description_head(c, m);
    // §4.2: the legacy description ssrc names our (first) source.
    if (!m.sources.empty()) d.set_attr("ssrc", std::to_string(m.sources.front().ssrc));
    if (m.ptime) d.set_attr("ptime", std::to_string(m.ptime));
    if (m.maxptime) d.set_attr("maxptime", std::to_string(m.maxptime));
    for (const auto& p : m.payload_types) {
        element& x = d.add("payload-type");
        x.set_attr("id", std::to_string(p.pt));
        if (!p.encoding.empty()) x.set_attr("name", p.encoding);
        if (p.clock_rate) x.set_attr("clockrate", std::to_string(p.clock_rate));
        if (p.channels != 1) x.set_attr("channels", std::to_string(p.channels));
        add_parameters(x, p.fmtp);
        add_rtcp_fb(x, m, std::to_string(p.pt));
    }
    add_rtcp_fb(d, m, "*");
    for (const auto& h : m.header_extensions) {
        element& x = d.add("rtp-hdrext", std::string(ns_hdrext));
        x.set_attr("id", std::to_string(h.id));
        x.set_attr("uri", h.uri);
        if (h.dir)
            x.set_attr("senders", std::string(to_string(to_senders(*h.dir, role::responder))));
        for (const auto w : words(h.attributes)) {
            const auto eq = w.find('=');
            element& p = x.add("parameter");
            p.set_attr("name", std::string(w.substr(0, eq)));
            if (eq != std::string_view::npos) p.set_attr("value", std::string(w.substr(eq + 1)));
        }
    }
    if (desc.extmap_allow_mixed) d.add("extmap-allow-mixed", std::string(ns_hdrext));
    add_sources(d, m);
    if (m.rtcp_mux) d.add("rtcp-mux");
}

std::string candidate_id(const media::ice_candidate& k) {
    // XEP-0176 wants a unique id; the model does not keep the peer's, so derive a stable one.
    return k.foundation + "-" + std::to_string(k.component) + "-" + std::to_string(k.port);
}

void add_candidates(element& t, const media_section& m) {
    for (const auto& k : m.ice.candidates) {
        element& x = t.add("candidate");
        x.set_attr("component", std::to_string(k.component));
        x.set_attr("foundation", k.foundation);
        x.set_attr("generation", std::to_string(k.generation));
        x.set_attr("id", candidate_id(k));
        x.set_attr("ip", k.address);
        x.set_attr("network", "0");
        x.set_attr("port", std::to_string(k.port));
        x.set_attr("priority", std::to_string(k.priority));
        x.set_attr("protocol", k.transport);
        x.set_attr("type", k.type);
        if (!k.related_address.empty()) {
            x.set_attr("rel-addr", k.related_address);
            x.set_attr("rel-port", std::to_string(k.related_port));
        }
        if (!k.tcp_type.empty()) x.set_attr("tcptype", k.tcp_type);
    }
}

element& add_transport_head(element& c, const media_section& m) {
    element& t = c.add("transport", std::string(ns::jingle_ice));
    if (!m.ice.ufrag.empty()) t.set_attr("ufrag", m.ice.ufrag);
    if (!m.ice.pwd.empty()) t.set_attr("pwd", m.ice.pwd);
    return t;
}

void add_full_transport(element& c, const media_section& m) {
    element& t = add_transport_head(c, m);
    if (!m.dtls.fingerprint.empty()) {
        element& f = t.add("fingerprint", std::string(ns::jingle_dtls));
        f.set_attr("hash", m.dtls.hash);
        // §4.4: JVB offers actpass and we are the DTLS client; RFC 5763 §5 forbids actpass in an
        // answer, so anything but an explicit passive is written as active.
        f.set_attr("setup", m.dtls.setup == media::setup_role::passive ? "passive" : "active");
        f.add_text(m.dtls.fingerprint);
    }
    add_candidates(t, m);
    if (m.rtcp_mux) t.add("rtcp-mux");
}

void add_groups(element& j, const media::description& d) {
    auto group = [&j](std::string_view semantics, const auto& names) {
        element& g = j.add("group", std::string(ns_grouping));
        g.set_attr("semantics", std::string(semantics));
        for (const auto& n : names) g.add("content").set_attr("name", std::string(n));
    };
    if (!d.bundle.empty()) group("BUNDLE", d.bundle);
    for (const auto& a : d.extra) {
        if (a.name != "group") continue;
        auto w = words(a.value);
        if (w.empty()) continue;
        const auto semantics = w.front();
        w.erase(w.begin());
        group(semantics, w);
    }
}

element build_sources(action a, const media::description& d, std::string_view sid) {
    element j = make_jingle(a, sid, {});
    for (const auto& m : d.media) {
        if (m.sources.empty()) continue;
        add_sources(add_description_head(add_content(j, m, false), m), m);
    }
    return j;
}

}  // namespace

element build_session_accept(const media::description& local, std::string_view sid,
                             std::string_view responder) {
    element j = make_jingle(action::session_accept, sid, responder);
    for (const auto& m : local.media) {
        element& c = add_content(j, m, true);
        // A section without a media kind came from a content without an RTP description.
        if (!media::kind_name(m).empty()) add_description(c, local, m);
        add_full_transport(c, m);
    }
    add_groups(j, local);
    return j;
}

element build_transport_info(const media::description& local, std::string_view sid,
                             std::string_view responder) {
    element j = make_jingle(action::transport_info, sid, responder);
    for (const auto& m : local.media)
        add_candidates(add_transport_head(add_content(j, m, false), m), m);
    return j;
}

element build_transport_accept(const media::description& local, std::string_view sid,
                               std::string_view responder) {
    element j = make_jingle(action::transport_accept, sid, responder);
    for (const auto& m : local.media) add_full_transport(add_content(j, m, false), m);
    return j;
}

element build_session_terminate(std::string_view sid, const reason& why) {
    element j = make_jingle(action::session_terminate, sid, {});
    element& r = j.add("reason");
    if (!why.condition.empty()) r.add(why.condition);
    if (!why.text.empty()) r.add("text").add_text(why.text);
    return j;
}

element build_ice_failed(std::string_view sid, std::string_view bridge_session_id) {
    element j = make_jingle(action::session_info, sid, {});
    j.add("ice-state", std::string(ns_focus)).add_text("failed");
    if (!bridge_session_id.empty()) {
        element& b = j.add("bridge-session", std::string(ns_focus));
        b.set_attr("id", std::string(bridge_session_id));
        b.set_attr("restart", "true");
    }
    return j;
}

element build_source_add(const media::description& sources, std::string_view sid) {
    return build_sources(action::source_add, sources, sid);
}

element build_source_remove(const media::description& sources, std::string_view sid) {
    return build_sources(action::source_remove, sources, sid);
}

}  // namespace jigasi::xmpp::jingle
