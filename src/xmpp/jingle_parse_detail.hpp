#pragma once
// The Jingle parser shared by jingle_parse.cpp (session, content, transport) and
// jingle_parse_rtp.cpp (the XEP-0167 description). Internal to src/xmpp.

#include "xmpp/jingle.hpp"

#include <limits>
#include <set>

namespace jigasi::xmpp::jingle::detail {

using media::media_section;

inline constexpr std::uint64_t u16_max = std::numeric_limits<std::uint16_t>::max();
inline constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();

/// A peer's value in a diagnostic: at most 40 bytes, control characters as '?'.
std::string quoted(std::string_view v);
std::string_view trim(std::string_view s);
/// A token that can stand in an SDP attribute unchanged: no spaces or control characters.
bool is_token(std::string_view s);
/// A decimal number in [min, max]; nothing else (no sign, blanks or empty string).
std::optional<std::uint64_t> to_uint(std::string_view s, std::uint64_t min, std::uint64_t max);
/// Child elements named `name` in any namespace: <parameter> and <rtcp-mux> inherit their parent's
/// namespace, and writers differ in which parent that is.
std::vector<const element*> named(const element& e, std::string_view name);

/// One parse: walks the <jingle/> tree once and stops at the first error, which names the element
/// (and the content and candidate) it is in.
class parser {
public:
    parser(role our_role, const parse_limits& limits)
        : peer_(our_role == role::initiator ? role::responder : role::initiator), lim_(limits) {}

    result<message> run(const element& j);

private:
    bool fail(errc e, const std::string& what) {
        err_ = error{e, where_ + what};
        return false;
    }
    bool limit(std::size_t count, std::size_t max, std::string_view what) {
        return count < max || fail(errc::limit_exceeded,
                                   "more than " + std::to_string(max) + " " + std::string(what));
    }
    template <class T>
    bool number(const element& e, std::string_view attr, std::uint64_t min, std::uint64_t max,
                T& out, bool required);
    bool token(const element& e, std::string_view attr, std::string& out, bool required);
    bool content(const element& c);
    bool json_sources();
    bool description(const element& d, media_section& m);
    bool payload(const element& p, media_section& m);
    bool parameters(const element& e, std::vector<media::parameter>& out);
    bool rtcp_fb(const element& fb, std::string_view pt, media_section& m);
    bool hdrext(const element& h, media_section& m);
    bool source(const element& s, media_section& m);
    bool ssrc_group(const element& g, media_section& m);
    bool transport(const element& t, media_section& m);
    bool candidate(const element& c, media_section& m);
    bool group(const element& g);
    bool read_reason(const element& r);
    bool extra(std::vector<media::attribute>& to, std::string name, std::string value) {
        if (!limit(to.size(), lim_.max_extra, "rtcp-fb/ssrc-group/group elements")) return false;
        to.push_back({std::move(name), std::move(value)});
        return true;
    }

    role peer_;  ///< the author of what we parse
    const parse_limits& lim_;
    std::string where_;  ///< "content 'audio': " while inside a content
    std::optional<error> err_;
    message msg_;
    std::set<std::uint32_t> ssrcs_;  ///< of the current description
};

template <class T>
bool parser::number(const element& e, std::string_view attr, std::uint64_t min, std::uint64_t max,
                    T& out, bool required) {
    const auto v = e.attr(attr);
    if (!v)
        return !required ||
               fail(errc::missing_attribute, "<" + e.name() + "> without " + std::string(attr));
    const auto n = to_uint(*v, min, max);
    if (!n)
        return fail(errc::bad_number, "<" + e.name() + "> " + std::string(attr) + " " + quoted(*v) +
                                          " is not a number in " + std::to_string(min) + ".." +
                                          std::to_string(max));
    out = static_cast<T>(*n);
    return true;
}

}  // namespace jigasi::xmpp::jingle::detail
