#pragma once
// ICE candidates, their priorities (RFC 8445 §5.1.2, §6.1.2.3) and credentials (§5.3), and the
// mapping to and from the signalling model (media::ice_candidate, filled from SDP or Jingle).

#include "core/result.hpp"
#include "media/description.hpp"
#include "media/ice/endpoint.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jigasi::media::ice {

enum class candidate_type : std::uint8_t { host, srflx, prflx, relay };

std::string_view to_string(candidate_type t);
std::optional<candidate_type> parse_candidate_type(std::string_view s);

/// RFC 8445 §5.1.2.2 recommended type preferences.
std::uint32_t type_preference(candidate_type t);

/// RFC 8445 §5.1.2.1: (2^24)*type pref + (2^8)*local pref + (256 - component id).
constexpr std::uint32_t candidate_priority(std::uint32_t type_pref, std::uint16_t local_pref, std::uint16_t component = 1) {
    return (type_pref << 24) + (std::uint32_t{local_pref} << 8) + (256u - component);
}

/// RFC 8445 §6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G the controlling side's candidate.
constexpr std::uint64_t pair_priority(std::uint32_t controlling, std::uint32_t controlled) {
    const std::uint64_t g = controlling, d = controlled;
    return (std::uint64_t{1} << 32) * std::min(g, d) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

struct candidate {
    candidate_type type = candidate_type::host;
    endpoint address;
    endpoint base;     ///< where checks from it are sent from (itself for host candidates)
    endpoint related;  ///< rel-addr/rel-port for srflx and prflx (RFC 8839 §5.1)
    std::uint32_t priority = 0;
    std::string foundation;
    std::uint16_t component = 1;
    friend bool operator==(const candidate&, const candidate&) = default;
};

/// A signalled candidate as the agent takes it: UDP, component 1 (rtcp-mux), an IP literal.
/// Anything else (TCP, RTCP component, mDNS names) gives an error the caller may log and skip.
core::result<candidate> from_description(const media::ice_candidate& c);
/// For session-accept / transport-info (jitsi-protocol.md §4.2).
media::ice_candidate to_description(const candidate& c, std::uint32_t generation = 0);

/// Local ufrag and password. RFC 8445 §5.3: at least 24 bits of randomness in the ufrag and 128
/// in the password; RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/", ufrag 4-256, pwd 22-256.
struct credentials {
    std::string ufrag;
    std::string pwd;
    friend bool operator==(const credentials&, const credentials&) = default;
};

/// Fills the span with cryptographically random bytes; false on failure.
using random_fn = std::function<bool(std::span<std::uint8_t>)>;

/// `n` random ice-chars (6 bits each); empty if the random source fails.
std::string random_ice_string(std::size_t n, const random_fn& random = {});
/// 8-char ufrag (48 bits) and 24-char password (144 bits); empty strings if the CSPRNG fails.
credentials make_credentials(const random_fn& random = {});
bool valid_ufrag(std::string_view s);
bool valid_pwd(std::string_view s);
/// OpenSSL RAND_bytes; what an empty random_fn means.
bool system_random(std::span<std::uint8_t> out);

}  // namespace jigasi::media::ice
