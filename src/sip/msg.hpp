#pragma once
// Reading libre's parsed SIP messages into plain C++ values. Strand only (libre objects).

#include "sip/libre.hpp"
#include "sip/registrar.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::sip {

inline std::string str(const pl& p) { return p.p ? std::string(p.p, p.l) : std::string(); }

/// Every value of a header libre knows by id, in message order.
std::vector<std::string> header_values(const sip_msg* msg, sip_hdrid id);

/// The first value of a header by name (case-insensitive), e.g. "X-Room-Name".
std::optional<std::string> header(const sip_msg* msg, std::string_view name);

/// "udp:192.0.2.1:5060" (tcp:, tls:): where the message came from, for logs and bindings.
std::string source_of(const sip_msg* msg);

/// The fields of a REGISTER the registrar needs. nullopt if a Contact is unreadable.
std::optional<register_request> to_register_request(const sip_msg* msg);

/// What to pass libre as the Contact "user" of a dialog: the bare user, for which libre writes
/// sip:user@<local address>; or, with a public address (1:1 NAT), the whole URI
/// sip:user@public:port;transport=x, which libre writes verbatim (re sip/contact.c: a ':' in it).
std::string contact_user(const std::string& user, const std::string& public_address, std::uint16_t port,
                         sip_transp tp);

/// The body, if any.
std::string body_of(const sip_msg* msg);

}  // namespace jigasi::sip
