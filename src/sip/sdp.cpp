// SDP parsing (RFC 4566 §5) into media::description. Network input: every failure is an error value
// naming the line, every count is bounded by parse_limits, nothing throws on bad bytes.

#include "sip/sdp.hpp"

#include "sip/sdp_detail.hpp"

namespace jigasi::sip::sdp {
namespace {

using namespace detail;
using media::media_section;

/// Parse state. Session-level lines all precede the first m= (RFC 4566 §5), so a new media section
/// starts as a copy of the session-level c=, direction, ICE and DTLS values and overrides them.
class parser {
public:
    explicit parser(const parse_limits& limits) : lim_(limits) {}

    result<media::description> run(std::string_view text);

private:
    bool fail(errc e, std::string_view what) {
        err_ = error{e, "line " + std::to_string(line_no_) + ": " + std::string(what)};
        return false;
    }
    bool line(char type, std::string_view value);
    bool origin(std::string_view value);
    bool connection(std::string_view value, std::string& address);
    bool media_line(std::string_view value);
    bool session_attribute(std::string_view name, std::string_view value);
    bool media_attribute(std::string_view name, std::string_view value);
    bool shared_attribute(std::string_view name, std::string_view value, bool& handled);
    bool rtpmap(std::string_view value);
    bool fmtp(std::string_view value);
    bool rtcp(std::string_view value);
    bool extmap(std::string_view value);
    bool ssrc(std::string_view value);
    bool candidate(std::string_view value);
    bool crypto(std::string_view value);
    bool add_extra(std::vector<media::attribute>& to, std::string_view name,
                   std::string_view value);

    const parse_limits& lim_;
    std::size_t line_no_ = 0;
    std::optional<error> err_;
    media::description d_;
    media_section session_;  ///< session-level defaults for new sections
    media_section* cur_ = nullptr;
    bool fingerprint_seen_ = false;  ///< at the current level: the first a=fingerprint wins
    bool seen_v_ = false, seen_o_ = false;
    std::vector<std::size_t> m_lines_;  ///< line number of each m=
};

result<media::description> parser::run(std::string_view text) {
    if (text.size() > lim_.max_size)
        return error{errc::limit_exceeded, "SDP of " + std::to_string(text.size()) +
                                               " bytes exceeds " + std::to_string(lim_.max_size)};
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view l = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (++line_no_ > lim_.max_lines) {
            fail(errc::limit_exceeded, "more than " + std::to_string(lim_.max_lines) + " lines");
            break;
        }
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);  // CRLF or LF
        if (l.size() > lim_.max_line_length) {
            fail(errc::limit_exceeded, "line longer than " + std::to_string(lim_.max_line_length));
            break;
        }
        bool ok = true;
        for (char c : l) {
            const auto u = static_cast<unsigned char>(c);
            if (u == 0) ok = fail(errc::malformed, "NUL byte");
            else if ((u < 0x20 && c != '\t') || u == 0x7f) ok = fail(errc::malformed, "control character");
            if (!ok) break;
        }
        if (!ok) break;
        l = trim(l);
        if (l.empty()) continue;  // blank lines (the trailing one above all) are harmless
        if (l.size() < 2 || l[1] != '=' || l[0] < 'a' || l[0] > 'z') {
            fail(errc::malformed, "expected <type>=<value>");
            break;
        }
        if (!seen_v_ && l[0] != 'v') {
            fail(errc::malformed, "SDP must start with v=");
            break;
        }
        if (!line(l[0], l.substr(2))) break;
    }
    if (err_) return *err_;
    if (!seen_v_) return error{errc::malformed, "empty SDP (no v= line)"};
    if (!seen_o_) return error{errc::malformed, "no o= line"};
    if (d_.media.empty()) return error{errc::no_media, "no m= line"};
    for (std::size_t i = 0; i < d_.media.size(); ++i) {
        // RFC 4566 §5.7: c= in the session or in every media section.
        if (d_.media[i].port != 0 && d_.media[i].address.empty())
            return error{errc::malformed,
                         "line " + std::to_string(m_lines_[i]) + ": m= line without c= line"};
    }
    return std::move(d_);
}

bool parser::line(char type, std::string_view value) {
    const bool in_media = cur_ != nullptr;
    switch (type) {
    case 'v':
        if (seen_v_) return fail(errc::malformed, "duplicate v= line");
        seen_v_ = true;
        return value == "0" || fail(errc::malformed, "unsupported SDP version");
    case 'o':
        if (in_media || seen_o_) return fail(errc::malformed, "o= line out of place");
        seen_o_ = true;
        return origin(value);
    case 's':
        if (in_media) return fail(errc::malformed, "s= line inside a media section");
        d_.session_name = value.empty() ? "-" : std::string(value);
        return true;
    case 't':
        if (in_media) return fail(errc::malformed, "t= line inside a media section");
        return true;  // t=0 0 in practice; we never schedule sessions
    case 'c': return connection(value, in_media ? cur_->address : session_.address);
    case 'm': return media_line(value);
    case 'a': {
        auto [name, val] = split_first(value, ':');
        if (val.empty()) name = trim(name);  // "a=x :" is "a=x" (and writes back the same)
        return in_media ? media_attribute(name, val) : session_attribute(name, val);
    }
    default: return true;  // i= b= k= z= r= e= p= u=: nothing we use
    }
}

bool parser::origin(std::string_view value) {
    const auto t = tokens(value);
    if (t.size() != 6) return fail(errc::malformed, "o= needs 6 fields");
    const auto version = to_uint<std::uint64_t>(t[2]);
    if (!version) return fail(errc::malformed, "bad session version in o=");
    if (t[3] != "IN" || (t[4] != "IP4" && t[4] != "IP6"))
        return fail(errc::malformed, "o= needs IN IP4 or IN IP6");
    d_.origin = {std::string(t[0]), std::string(t[1]), *version, std::string(t[5])};
    return true;
}

bool parser::connection(std::string_view value, std::string& address) {
    const auto t = tokens(value);
    if (t.size() != 3 || t[0] != "IN" || (t[1] != "IP4" && t[1] != "IP6"))
        return fail(errc::malformed, "c= needs IN IP4|IP6 <address>");
    address = std::string(t[2]);
    return true;
}

bool parser::media_line(std::string_view value) {
    if (d_.media.size() >= lim_.max_media)
        return fail(errc::limit_exceeded, "more than " + std::to_string(lim_.max_media) + " m= lines");
    const auto t = tokens(value, lim_.max_formats + 3);
    if (t.size() > lim_.max_formats + 2)
        return fail(errc::limit_exceeded, "more than " + std::to_string(lim_.max_formats) + " formats");
    if (t.size() < 3) return fail(errc::malformed, "m= needs <media> <port> <proto> <fmt>...");
    media_section m = session_;
    m.extra.clear();
    if (auto k = media::parse_media_kind(t[0])) {
        m.kind = *k;
    } else {
        m.kind = media::media_kind::other;
        m.kind_token = std::string(t[0]);
    }
    const auto [port, count] = split_first(t[1], '/');
    const auto p = to_uint<std::uint16_t>(port);
    if (!p || (!count.empty() && !to_uint<std::uint16_t>(count)))
        return fail(errc::malformed, "bad port in m= line");
    m.port = *p;
    if (auto pr = media::parse_profile(t[2])) {
        m.profile = *pr;
    } else {
        m.profile = media::transport_profile::other;
        m.profile_token = std::string(t[2]);
    }
    for (std::size_t i = 3; i < t.size(); ++i) {
        if (!media::is_rtp(m.profile)) {
            m.formats.emplace_back(t[i]);
            continue;
        }
        const auto pt = to_uint<std::uint8_t>(t[i]);
        if (!pt || *pt > 127) return fail(errc::malformed, "bad payload type in m= line");
        if (media::find_payload(m, *pt)) return fail(errc::malformed, "duplicate payload type");
        m.payload_types.push_back(media::static_payload_type(*pt));
    }
    d_.media.push_back(std::move(m));
    cur_ = &d_.media.back();
    m_lines_.push_back(line_no_);
    fingerprint_seen_ = false;
    return true;
}

// Attributes that mean the same at session and media level (the section is cur_ or session_).
bool parser::shared_attribute(std::string_view name, std::string_view value, bool& handled) {
    media_section& s = cur_ ? *cur_ : session_;
    handled = true;
    if (auto dir = media::parse_direction(name)) s.dir = *dir;
    else if (name == "ice-ufrag") s.ice.ufrag = std::string(value);
    else if (name == "ice-pwd") s.ice.pwd = std::string(value);
    else if (name == "ice-options") s.ice.options = std::string(value);
    else if (name == "ice-lite") d_.ice_lite = true;
    else if (name == "extmap-allow-mixed") d_.extmap_allow_mixed = true;
    else if (name == "setup") {
        const auto r = media::parse_setup_role(value);
        if (!r) return fail(errc::malformed, "bad a=setup");
        s.dtls.setup = *r;
    } else if (name == "fingerprint") {
        const auto t = tokens(value);
        if (t.size() != 2) return fail(errc::malformed, "a=fingerprint needs <hash> <value>");
        if (!fingerprint_seen_) s.dtls.hash = std::string(t[0]), s.dtls.fingerprint = std::string(t[1]);
        fingerprint_seen_ = true;  // RFC 8122 §5 allows several; the first is the preferred one
    } else handled = false;
    return true;
}

bool parser::session_attribute(std::string_view name, std::string_view value) {
    bool handled = false;
    if (!shared_attribute(name, value, handled)) return false;
    if (handled) return true;
    if (name == "group") {
        const auto t = tokens(value, lim_.max_list + 2);
        if (t.size() > lim_.max_list + 1) return fail(errc::limit_exceeded, "too many group members");
        // RFC 8843: the first non-empty BUNDLE group; others stay as they came.
        if (t.size() > 1 && t[0] == "BUNDLE" && d_.bundle.empty()) {
            for (std::size_t i = 1; i < t.size(); ++i) d_.bundle.emplace_back(t[i]);
            return true;
        }
    }
    return add_extra(d_.extra, name, value);
}

bool parser::media_attribute(std::string_view name, std::string_view value) {
    bool handled = false;
    if (!shared_attribute(name, value, handled)) return false;
    if (handled) return true;
    if (name == "rtpmap") return rtpmap(value);
    if (name == "fmtp") return fmtp(value);
    if (name == "ptime" || name == "maxptime") {
        const auto v = to_uint<std::uint32_t>(value);
        if (!v) return fail(errc::malformed, "bad a=" + std::string(name));
        (name == "ptime" ? cur_->ptime : cur_->maxptime) = *v;
        return true;
    }
    if (name == "rtcp") return rtcp(value);
    if (name == "rtcp-mux") {
        cur_->rtcp_mux = true;
        return true;
    }
    if (name == "mid") {
        cur_->mid = std::string(value);
        return true;
    }
    if (name == "extmap") return extmap(value);
    if (name == "ssrc") return ssrc(value);
    if (name == "candidate") return candidate(value);
    if (name == "crypto") return crypto(value);
    return add_extra(cur_->extra, name, value);
}

bool parser::add_extra(std::vector<media::attribute>& to, std::string_view name,
                       std::string_view value) {
    if (to.size() >= lim_.max_extra) return fail(errc::limit_exceeded, "too many attributes");
    to.push_back({std::string(name), std::string(value)});
    return true;
}

bool parser::rtpmap(std::string_view value) {
    // a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]
    const auto [pt_text, rest] = split_ws(value);
    const auto pt = to_uint<std::uint8_t>(pt_text);
    if (!pt || *pt > 127) return fail(errc::malformed, "bad payload type in a=rtpmap");
    const auto [encoding, clock_ch] = split_first(rest, '/');
    const auto [clock, channels] = split_first(clock_ch, '/');
    const auto rate = to_uint<std::uint32_t>(clock);
    const auto ch = channels.empty() ? std::optional<std::uint8_t>(1) : to_uint<std::uint8_t>(channels);
    if (encoding.empty() || !rate || *rate == 0 || !ch || *ch == 0)
        return fail(errc::malformed, "a=rtpmap needs <pt> <encoding>/<rate>[/<channels>]");
    for (auto& p : cur_->payload_types) {
        if (p.pt != *pt) continue;  // an rtpmap for a pt not in m= is ignored
        p.encoding = std::string(encoding), p.clock_rate = *rate, p.channels = *ch;
    }
    return true;
}

bool parser::fmtp(std::string_view value) {
    const auto [pt_text, rest] = split_ws(value);
    const auto pt = to_uint<std::uint8_t>(pt_text);
    if (!pt || *pt > 127) return fail(errc::malformed, "bad payload type in a=fmtp");
    for (auto& p : cur_->payload_types) {
        if (p.pt != *pt) continue;
        for (std::string_view item : split(rest, ';')) {
            item = trim(item);
            if (item.empty()) continue;
            if (p.fmtp.size() >= lim_.max_list) return fail(errc::limit_exceeded, "too many fmtp parameters");
            const auto [k, v] = split_first(item, '=');
            // "=x" names nothing (RFC 4566 §6: name[=value]); kept, it would not survive a
            // round trip (found by sdp_fuzz).
            if (trim(k).empty()) continue;
            p.fmtp.push_back({std::string(trim(k)), std::string(trim(v))});
        }
    }
    return true;
}

bool parser::rtcp(std::string_view value) {
    // RFC 3605: a=rtcp:<port> [IN IP4|IP6 <address>]
    const auto t = tokens(value);
    const auto port = t.empty() ? std::nullopt : to_uint<std::uint16_t>(t[0]);
    if (!port || (t.size() != 1 && (t.size() != 4 || t[1] != "IN")))
        return fail(errc::malformed, "bad a=rtcp");
    cur_->rtcp_port = *port;
    cur_->rtcp_address = t.size() == 4 ? std::string(t[3]) : std::string();
    return true;
}

bool parser::extmap(std::string_view value) {
    // RFC 8285 §7: a=extmap:<id>[/<direction>] <URI> [<extension attributes>]
    if (cur_->header_extensions.size() >= lim_.max_list) return fail(errc::limit_exceeded, "too many a=extmap");
    const auto [id_dir, rest] = split_ws(value);
    const auto [uri, attrs] = split_ws(rest);
    const auto [id_text, dir_text] = split_first(id_dir, '/');
    media::header_extension h;
    const auto id = to_uint<std::uint16_t>(id_text);
    if (!id || *id == 0 || *id > 4351 || uri.empty()) return fail(errc::malformed, "bad a=extmap");
    h.id = *id;
    if (!dir_text.empty()) {
        h.dir = media::parse_direction(dir_text);
        if (!h.dir) return fail(errc::malformed, "bad direction in a=extmap");
    }
    h.uri = std::string(uri);
    h.attributes = std::string(attrs);
    cur_->header_extensions.push_back(std::move(h));
    return true;
}

bool parser::ssrc(std::string_view value) {
    // RFC 5576 §4.1: a=ssrc:<ssrc-id> <attribute>[:<value>]
    const auto [id_text, rest] = split_ws(value);
    const auto id = to_uint<std::uint32_t>(id_text);
    if (!id) return fail(errc::malformed, "bad SSRC in a=ssrc");
    auto& sources = cur_->sources;
    media::source* s = nullptr;
    for (auto& x : sources)
        if (x.ssrc == *id) s = &x;
    if (!s) {
        if (sources.size() >= lim_.max_sources) return fail(errc::limit_exceeded, "too many SSRCs");
        s = &sources.emplace_back(media::source{*id, {}, {}, {}});
    }
    if (rest.empty()) return true;
    auto [attr, val] = split_first(rest, ':');
    if (val.empty()) attr = trim(attr);
    if (attr == "name") s->name = std::string(val);
    else if (attr == "owner") s->owner = std::string(val);
    else if (s->params.size() >= lim_.max_list) return fail(errc::limit_exceeded, "too many SSRC attributes");
    else s->params.push_back({std::string(attr), std::string(val)});
    return true;
}

bool parser::candidate(std::string_view value) {
    // RFC 8839 §5.1: <foundation> <component> <transport> <priority> <address> <port> typ <type>
    // [raddr <a>] [rport <p>] *(<extension name> <value>)
    if (cur_->ice.candidates.size() >= lim_.max_candidates)
        return fail(errc::limit_exceeded, "too many a=candidate");
    const auto t = tokens(value, 40);
    media::ice_candidate c;
    const auto component = t.size() >= 8 ? to_uint<std::uint16_t>(t[1]) : std::nullopt;
    const auto priority = t.size() >= 8 ? to_uint<std::uint32_t>(t[3]) : std::nullopt;
    const auto port = t.size() >= 8 ? to_uint<std::uint16_t>(t[5]) : std::nullopt;
    if (!component || !priority || !port || t[6] != "typ") return fail(errc::malformed, "bad a=candidate");
    c.foundation = std::string(t[0]), c.component = *component, c.transport = std::string(t[2]);
    c.priority = *priority, c.address = std::string(t[4]), c.port = *port, c.type = std::string(t[7]);
    for (std::size_t i = 8; i + 1 < t.size(); i += 2) {
        if (t[i] == "raddr") c.related_address = std::string(t[i + 1]);
        else if (t[i] == "tcptype") c.tcp_type = std::string(t[i + 1]);
        else if (t[i] == "rport" || t[i] == "generation") {
            const auto n = to_uint<std::uint32_t>(t[i + 1]);
            if (!n || (t[i] == "rport" && *n > 65535)) return fail(errc::malformed, "bad a=candidate");
            if (t[i] == "rport") c.related_port = static_cast<std::uint16_t>(*n);
            else c.generation = *n;
        }  // other extensions (network-id, ufrag, ...) are not ours to keep
    }
    cur_->ice.candidates.push_back(std::move(c));
    return true;
}

bool parser::crypto(std::string_view value) {
    // RFC 4568 §9.1: a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]
    if (cur_->crypto.size() >= lim_.max_list) return fail(errc::limit_exceeded, "too many a=crypto");
    const auto t = tokens(value, lim_.max_list + 4);
    const auto tag = t.empty() ? std::nullopt : to_uint<std::uint32_t>(t[0]);
    if (!tag || *tag > 999999999 || t.size() < 3) return fail(errc::malformed, "bad a=crypto");
    if (t.size() > lim_.max_list + 3) return fail(errc::limit_exceeded, "too many session parameters");
    media::crypto_attr c{*tag, std::string(t[1]), {}, {}};
    for (std::string_view kp : split(t[2], ';')) {
        if (c.keys.size() >= lim_.max_list) return fail(errc::limit_exceeded, "too many keys");
        if (kp.substr(0, 7) != "inline:") return fail(errc::malformed, "a=crypto key method is not inline");
        const auto parts = split(kp.substr(7), '|');
        media::crypto_key k{std::string(parts[0]), {}, {}};
        // <key||salt>[|lifetime][|MKI:length]; a lone second part is the MKI when it has a ':'.
        bool ok = !parts[0].empty() && parts.size() <= 3;
        if (ok && parts.size() == 2) {
            ok = !parts[1].empty();
            (parts[1].find(':') != std::string_view::npos ? k.mki : k.lifetime) = std::string(parts[1]);
        } else if (ok && parts.size() == 3) {
            ok = !parts[1].empty() && parts[1].find(':') == std::string_view::npos &&
                 parts[2].find(':') != std::string_view::npos;
            k.lifetime = std::string(parts[1]), k.mki = std::string(parts[2]);
        }
        if (!ok) return fail(errc::malformed, "bad key parameters in a=crypto");
        c.keys.push_back(std::move(k));
    }
    for (std::size_t i = 3; i < t.size(); ++i) c.session_params.emplace_back(t[i]);
    cur_->crypto.push_back(std::move(c));
    return true;
}

}  // namespace

result<media::description> parse(std::string_view text, const parse_limits& limits) {
    return parser(limits).run(text);
}

}  // namespace jigasi::sip::sdp
