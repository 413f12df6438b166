#pragma once
// JIDs (RFC 7622) and what every stanza parser above the stream shares: the parse error codes and
// result type, stanza errors (RFC 6120 §8.3) and IQ replies (RFC 6120 §8.2.3). Rayo, focus, MUC
// and mute parsing (rayo.hpp, focus.hpp, muc.hpp, mute.hpp) all read JIDs, so they live here.
//
// JID validation is a subset of PRECIS (RFC 8264/8265/8266, which RFC 7622 §3 builds on), not the
// full profiles: parts are bounded to 1023 octets, must be valid UTF-8, the localpart refuses
// controls, spaces and the RFC 7622 §3.3.1 characters, the domainpart must be DNS labels or an IP
// literal, the resourcepart refuses controls. ASCII letters of the localpart and domainpart are
// lowercased (the ASCII part of UsernameCaseMapped and IDNA); non-ASCII text is neither
// case-folded nor NFC-normalized, so two JIDs that differ only there compare unequal.

#include "core/result.hpp"
#include "xmpp/element.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace jigasi::xmpp {

enum class parse_errc {
    jid_empty = 1,         ///< empty text, or an empty part around '@' or '/'
    jid_too_long,          ///< a part over 1023 octets (RFC 7622 §3.2-3.4)
    jid_bad_localpart,     ///< control, space, invalid UTF-8 or one of "&'/:<>@ (RFC 7622 §3.3.1)
    jid_bad_domainpart,    ///< not DNS labels (letters, digits, '-', '_', UTF-8) or an IP literal
    jid_bad_resourcepart,  ///< control character or invalid UTF-8
    wrong_stanza,          ///< not the stanza or payload this parser reads (name, xmlns, IQ type)
    missing_attribute,     ///< a required attribute is absent or empty
    missing_element,       ///< a required child element is absent
    bad_value,             ///< a value we cannot accept (duplicate header, "maybe" for a boolean)
    limit_exceeded,        ///< more headers, occupants... than the limits allow
};

const std::error_category& parse_category() noexcept;
inline std::error_code make_error_code(parse_errc e) noexcept {
    return {static_cast<int>(e), parse_category()};
}

/// Errors say what is wrong ("<dial/> has no JvbRoomName header").
using parse_error = core::error;
template <class T>
using parse_result = core::result<T>;

/// local@domain/resource. A default-constructed jid is empty (no domain) and is what a stanza
/// without a from/to attribute yields.
class jid {
public:
    jid() = default;

    /// RFC 7622 §3.1: the first '/' starts the resource (which may hold '@' and '/'), the first
    /// '@' before it ends the localpart. A final '.' of the domain is dropped (§3.2).
    static parse_result<jid> parse(std::string_view text);
    /// The same checks on separate parts (localpart and resource may be empty = absent).
    static parse_result<jid> make(std::string_view local, std::string_view domain,
                                  std::string_view resource = {});

    const std::string& local() const { return local_; }
    const std::string& domain() const { return domain_; }
    const std::string& resource() const { return resource_; }
    bool empty() const { return domain_.empty(); }
    bool is_bare() const { return !empty() && resource_.empty(); }
    bool is_full() const { return !resource_.empty(); }

    jid bare() const;
    /// This JID's bare part with `resource` (a MUC occupant: room/nick).
    parse_result<jid> with_resource(std::string_view resource) const;
    std::string to_string() const;

    friend bool operator==(const jid&, const jid&) = default;
    friend std::strong_ordering operator<=>(const jid&, const jid&) = default;

private:
    std::string local_, domain_, resource_;
};

/// The JID in an attribute ("from", "to", "jid"): empty when absent, nullopt when invalid.
std::optional<jid> attr_jid(const element& e, std::string_view name);

// --- per-call addressing (jitsi-protocol.md §3.1) ---

/// The per-call nickname and XMPP resource: 8 lowercase hex digits, zero padded ("7f3a09c2"),
/// the endpoint-id form jitsi-meet and JVB expect. The caller supplies the randomness (sans-io)
/// and draws a new value after each reconnect.
std::string random_nick(std::uint32_t random);

/// USE_SIP_USER_AS_XMPP_RESOURCE: the SIP user with every character outside [A-Za-z0-9] turned
/// into '-' (one per UTF-8 code point; Jigasi replaces UTF-16 units, so a non-BMP character is one
/// '-' here and two there), at most 64 characters. Empty input gives empty output: use
/// random_nick() then.
std::string sip_user_nick(std::string_view sip_user);

/// Where a room's per-call connection logs in: roomJidDomain and tenant of Jigasi's CallContext.
struct call_domain {
    std::string domain;  ///< "meet.jitsi": login domain; focus is "focus.<domain>"
    std::string tenant;  ///< "tenant1" for room@muc.tenant1.meet.jitsi, else empty
    friend bool operator==(const call_domain&, const call_domain&) = default;
};

/// Drops the room domain's first label when it is one of `muc_prefixes` (MUC_DOMAIN_PREFIX, a
/// comma list). With a `base_domain` the labels between the prefix and it are the tenant; without,
/// everything after the prefix is the domain (a tenant cannot be told from a subdomain).
call_domain room_call_domain(const jid& room, std::string_view muc_prefixes = "conference,muc",
                             std::string_view base_domain = {});

// --- stanza errors (RFC 6120 §8.3) ---

/// RFC 6120 §8.3.2 error types.
enum class error_type : std::uint8_t { cancel, continue_, modify, auth, wait };
std::string_view to_string(error_type t);  ///< "cancel", "continue", ...

struct stanza_error {
    error_type type = error_type::cancel;
    std::string condition = "undefined-condition";  ///< RFC 6120 §8.3.3 element name
    std::string text;                               ///< <text/>, empty = none
    friend bool operator==(const stanza_error&, const stanza_error&) = default;
};

/// The <error/> child of an error stanza (any stanza kind): an unknown or missing type reads as
/// cancel, a missing condition as undefined-condition. nullopt when there is no <error/>.
std::optional<stanza_error> parse_stanza_error(const element& stanza);

/// <error type><condition xmlns=stanzas/><text xmlns=stanzas>..</text></error> in `stanza_ns`.
element build_error(const stanza_error& e, std::string_view stanza_ns = ns::client);

/// <iq type='result'> answering `request` (RFC 6120 §8.2.3): to = its from, same id, same
/// namespace. On a component stream (XEP-0114) the reply's from is the request's to, since a
/// component stamps its own from; a client's server stamps it.
element iq_result(const element& request);
element iq_result(const element& request, element payload);
/// <iq type='error'> answering `request` with `e` (RFC 6120 §8.3.1).
element iq_error(const element& request, const stanza_error& e);
/// A new <iq type to id> in jabber:client (type "get" or "set").
element make_iq(std::string_view type, std::string_view to, std::string_view id);

}  // namespace jigasi::xmpp

template <>
struct std::is_error_code_enum<jigasi::xmpp::parse_errc> : std::true_type {};
