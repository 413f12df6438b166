#pragma once
// Keeps a TCP link to one XMPP server (a deployment's c2s port or the XEP-0114 component port) and
// reports its state in health: connect with a deadline, on failure retry with capped exponential
// backoff forever (Jigasi #331/#539 stayed down after an outage), on loss reconnect. The XMPP stream,
// SASL and the brewery are layered on this link by the XMPP subsystem; until then a connected link
// only proves the server is reachable.

#include "config/store.hpp"
#include "core/health.hpp"
#include "core/log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace jigasi::xmpp {

class server_link {
public:
    server_link(std::string health_name, std::string host, std::uint16_t port,
                const config::store& cfg, core::health_registry& health, core::log_channel log);

    /// Runs until terminal cancellation; never throws for network failures.
    boost::asio::awaitable<void> run();

private:
    std::string name_, host_;
    std::uint16_t port_;
    const config::store& cfg_;
    core::health_registry& health_;
    core::log_channel log_;
};

}  // namespace jigasi::xmpp
