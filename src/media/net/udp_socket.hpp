#pragma once
// The call's one UDP socket toward a WebRTC peer, and the addresses it is reachable on (the ICE
// host candidates). IPv4 only for now: the socket binds 0.0.0.0.
#include "core/result.hpp"
#include "media/ice/endpoint.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace jigasi::media::net {

/// A socket bound to a free port in [min_port, max_port], starting at a random one so that
/// concurrent calls rarely collide and a port is not reused at once. Non-blocking: a full send
/// buffer drops the datagram, as the network would.
core::result<boost::asio::ip::udp::socket> bind_media_port(const boost::asio::any_io_executor& ex,
                                                           std::uint16_t min_port, std::uint16_t max_port);

/// The configured addresses (IP literals; unparsable ones skipped), or when none are configured the
/// IPv4 addresses of the interfaces that are up, loopback last; each with `port`.
std::vector<ice::endpoint> host_addresses(const std::vector<std::string>& configured, std::uint16_t port);

ice::endpoint to_endpoint(const boost::asio::ip::udp::endpoint& e);
boost::asio::ip::udp::endpoint to_asio(const ice::endpoint& e);

}  // namespace jigasi::media::net
