#include "media/net/udp_socket.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace asio = boost::asio;
using asio::ip::udp;

namespace jigasi::media::net {

core::result<udp::socket> bind_media_port(const asio::any_io_executor& ex, std::uint16_t min_port,
                                          std::uint16_t max_port) {
    udp::socket s(ex);
    boost::system::error_code ec;
    s.open(udp::v4(), ec);
    if (ec) return core::error{ec, "cannot open a UDP socket: " + ec.message()};
    const unsigned span = max_port >= min_port ? unsigned{max_port} - min_port + 1 : 0;
    const unsigned first = span ? std::random_device{}() % span : 0;
    for (unsigned i = 0; i < span; ++i) {
        const auto port = static_cast<std::uint16_t>(min_port + (first + i) % span);
        s.bind({udp::v4(), port}, ec);
        if (!ec) {
            s.non_blocking(true, ec);
            return s;
        }
        if (ec != asio::error::address_in_use && ec != asio::error::access_denied)
            return core::error{ec, "cannot bind UDP port " + std::to_string(port) + ": " + ec.message()};
    }
    return core::error{std::make_error_code(std::errc::address_in_use), "no free UDP port in " + std::to_string(min_port) + "-" +
                                                         std::to_string(max_port)};
}

std::vector<ice::endpoint> host_addresses(const std::vector<std::string>& configured, std::uint16_t port) {
    std::vector<ice::endpoint> out;
    for (const auto& a : configured)
        if (auto e = ice::endpoint::parse(a, port); e && !e->v6) out.push_back(*e);
    if (!configured.empty()) return out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (auto* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP)) continue;
        sockaddr_in sin;
        std::memcpy(&sin, i->ifa_addr, sizeof sin);
        std::array<std::uint8_t, 4> b;
        std::memcpy(b.data(), &sin.sin_addr, 4);
        auto e = ice::endpoint::ipv4(b, port);
        if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
    }
    freeifaddrs(list);
    std::stable_partition(out.begin(), out.end(), [](const ice::endpoint& e) { return !e.is_loopback(); });
    return out;
}

ice::endpoint to_endpoint(const udp::endpoint& e) {
    const auto a = e.address();
    if (a.is_v4()) return ice::endpoint::ipv4(a.to_v4().to_bytes(), e.port());
    return ice::endpoint::ipv6(a.to_v6().to_bytes(), e.port());
}

udp::endpoint to_asio(const ice::endpoint& e) {
    if (!e.v6) {
        asio::ip::address_v4::bytes_type b;
        std::copy_n(e.addr.begin(), 4, b.begin());
        return {asio::ip::address_v4(b), e.port};
    }
    asio::ip::address_v6::bytes_type b;
    std::copy_n(e.addr.begin(), 16, b.begin());
    return {asio::ip::address_v6(b), e.port};
}

}  // namespace jigasi::media::net
