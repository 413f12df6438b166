#pragma once
// The caller's languages from an Accept-Language header (RFC 3261 §20.3, the syntax of §25.1:
// language-range *(";" accept-param), q from 0 to 1), without I/O. Network input: never throws;
// a range or a q that does not parse drops that entry only.

#include <string>
#include <string_view>
#include <vector>

namespace jigasi::sip {

/// The language ranges, lower-cased, best first (highest q; equal q keep their order). Entries
/// with q=0 (RFC 2616 §14.4: "not acceptable") and the wildcard "*" are left out. At most 16.
std::vector<std::string> accepted_languages(std::string_view header_value);

}  // namespace jigasi::sip
