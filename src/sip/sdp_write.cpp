// SDP writing (RFC 4566 §5 order). parse(serialize(d)) == d for every d
// that parse() returns (the fuzz target checks it).

#include "sip/sdp.hpp"

namespace jigasi::sip::sdp {
namespace {

using media::media_section;

std::string_view addr_type(std::string_view address) {
    return address.find(':') != std::string_view::npos ? "IP6" : "IP4";
}

class writer {
public:
    std::string out;

    void line(char type, std::string_view a, std::string_view b = {}, std::string_view c = {}) {
        out += type;
        out += '=';
        out += a;
        out += b;
        out += c;
        out += "\r\n";
    }
    void attr(std::string_view name, std::string_view value = {}) {
        out += "a=";
        out += name;
        if (!value.empty()) {
            out += ':';
            out += value;
        }
        out += "\r\n";
    }
    void connection(std::string_view address) {
        line('c', "IN ", addr_type(address), " " + std::string(address));
    }
    void media(const media_section& m, bool session_c);
};

std::string fmtp_text(const std::vector<media::parameter>& params) {
    std::string s;
    for (const auto& p : params) {
        if (!s.empty()) s += ';';
        s += p.name;
        if (!p.value.empty()) s += '=' + p.value;
    }
    return s;
}

std::string candidate_text(const media::ice_candidate& c) {
    std::string s = c.foundation + ' ' + std::to_string(c.component) + ' ' + c.transport + ' ' +
                    std::to_string(c.priority) + ' ' + c.address + ' ' + std::to_string(c.port) +
                    " typ " + c.type;
    if (!c.related_address.empty()) s += " raddr " + c.related_address;
    if (c.related_port != 0) s += " rport " + std::to_string(c.related_port);
    if (!c.tcp_type.empty()) s += " tcptype " + c.tcp_type;
    s += " generation " + std::to_string(c.generation);
    return s;
}

std::string crypto_text(const media::crypto_attr& c) {
    std::string s = std::to_string(c.tag) + ' ' + c.suite + ' ';
    for (std::size_t i = 0; i < c.keys.size(); ++i) {
        const auto& k = c.keys[i];
        if (i) s += ';';
        s += "inline:" + k.key_salt;
        if (!k.lifetime.empty()) s += '|' + k.lifetime;
        if (!k.mki.empty()) s += '|' + k.mki;
    }
    for (const auto& p : c.session_params) s += ' ' + p;
    return s;
}

void writer::media(const media_section& m, bool session_c) {
    std::string mline = std::string(media::kind_name(m)) + ' ' + std::to_string(m.port) + ' ' +
                        std::string(media::profile_name(m));
    for (const auto& p : m.payload_types) mline += ' ' + std::to_string(p.pt);
    for (const auto& f : m.formats) mline += ' ' + f;
    line('m', mline);
    if (!session_c && !m.address.empty()) connection(m.address);
    if (m.rtcp_port != 0 || !m.rtcp_address.empty()) {
        std::string v = std::to_string(m.rtcp_port);
        if (!m.rtcp_address.empty())
            v += " IN " + std::string(addr_type(m.rtcp_address)) + ' ' + m.rtcp_address;
        attr("rtcp", v);
    }
    if (!m.ice.ufrag.empty()) attr("ice-ufrag", m.ice.ufrag);
    if (!m.ice.pwd.empty()) attr("ice-pwd", m.ice.pwd);
    if (!m.ice.options.empty()) attr("ice-options", m.ice.options);
    if (!m.dtls.hash.empty()) attr("fingerprint", m.dtls.hash + ' ' + m.dtls.fingerprint);
    if (m.dtls.setup != media::setup_role::none) attr("setup", media::to_string(m.dtls.setup));
    if (!m.mid.empty()) attr("mid", m.mid);
    for (const auto& h : m.header_extensions) {
        std::string v = std::to_string(h.id);
        if (h.dir) v += '/' + std::string(media::to_string(*h.dir));
        v += ' ' + h.uri;
        if (!h.attributes.empty()) v += ' ' + h.attributes;
        attr("extmap", v);
    }
    attr(media::to_string(m.dir));
    if (m.rtcp_mux) attr("rtcp-mux");
    for (const auto& p : m.payload_types) {
        if (p.encoding.empty()) continue;
        std::string v = std::to_string(p.pt) + ' ' + p.encoding + '/' + std::to_string(p.clock_rate);
        if (p.channels != 1) v += '/' + std::to_string(p.channels);
        attr("rtpmap", v);
        if (!p.fmtp.empty()) attr("fmtp", std::to_string(p.pt) + ' ' + fmtp_text(p.fmtp));
    }
    for (const auto& p : m.payload_types)  // fmtp of a pt without rtpmap still counts
        if (p.encoding.empty() && !p.fmtp.empty())
            attr("fmtp", std::to_string(p.pt) + ' ' + fmtp_text(p.fmtp));
    if (m.ptime) attr("ptime", std::to_string(m.ptime));
    if (m.maxptime) attr("maxptime", std::to_string(m.maxptime));
    for (const auto& c : m.crypto) attr("crypto", crypto_text(c));
    for (const auto& c : m.ice.candidates) attr("candidate", candidate_text(c));
    for (const auto& s : m.sources) {
        const std::string id = std::to_string(s.ssrc);
        if (s.name.empty() && s.owner.empty() && s.params.empty()) attr("ssrc", id);
        if (!s.name.empty()) attr("ssrc", id + " name:" + s.name);
        if (!s.owner.empty()) attr("ssrc", id + " owner:" + s.owner);
        for (const auto& p : s.params)
            attr("ssrc", id + ' ' + p.name + (p.value.empty() ? "" : ':' + p.value));
    }
    for (const auto& a : m.extra) attr(a.name, a.value);
}

}  // namespace

std::string serialize(const media::description& d) {
    writer w;
    w.line('v', "0");
    const auto& o = d.origin;
    w.line('o', o.username + ' ' + o.session_id + ' ' + std::to_string(o.session_version) + " IN ",
           addr_type(o.address), ' ' + o.address);
    w.line('s', d.session_name.empty() ? "-" : d.session_name);
    // One session-level c= when every section has the same address (RFC 4566 §5.7), which is what
    // most phones send and expect; otherwise one per section.
    bool session_c = !d.media.empty() && !d.media.front().address.empty();
    for (const auto& m : d.media) session_c = session_c && m.address == d.media.front().address;
    if (session_c) w.connection(d.media.front().address);
    w.line('t', "0 0");
    if (!d.bundle.empty()) {
        std::string v = "BUNDLE";
        for (const auto& mid : d.bundle) v += ' ' + mid;
        w.attr("group", v);
    }
    if (d.ice_lite) w.attr("ice-lite");
    if (d.extmap_allow_mixed) w.attr("extmap-allow-mixed");
    for (const auto& a : d.extra) w.attr(a.name, a.value);
    for (const auto& m : d.media) w.media(m, session_c);
    return std::move(w.out);
}

}  // namespace jigasi::sip::sdp
