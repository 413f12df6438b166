#include "media/ice/endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace jigasi::media::ice {

endpoint endpoint::ipv4(std::array<std::uint8_t, 4> a, std::uint16_t port) {
    endpoint e;
    std::copy(a.begin(), a.end(), e.addr.begin());
    e.port = port;
    return e;
}

endpoint endpoint::ipv6(const std::array<std::uint8_t, 16>& a, std::uint16_t port) {
    endpoint e;
    e.addr = a;
    e.port = port;
    e.v6 = true;
    return e;
}

std::optional<endpoint> endpoint::parse(std::string_view ip, std::uint16_t port) {
    // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
    char text[64];
    if (ip.empty() || ip.size() >= sizeof text) return std::nullopt;
    std::copy(ip.begin(), ip.end(), text);
    text[ip.size()] = '\0';
    endpoint e;
    e.port = port;
    if (inet_pton(AF_INET, text, e.addr.data()) == 1) return e;
    if (inet_pton(AF_INET6, text, e.addr.data()) == 1) {
        e.v6 = true;
        return e;
    }
    return std::nullopt;
}

std::string endpoint::address_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), text, sizeof text);
    return text;
}

std::string endpoint::to_string() const {
    return (v6 ? "[" + address_string() + "]" : address_string()) + ":" + std::to_string(port);
}

bool endpoint::is_loopback() const {
    if (!v6) return addr[0] == 127;
    return std::all_of(addr.begin(), addr.begin() + 15, [](std::uint8_t b) { return b == 0; }) &&
           addr[15] == 1;
}

}  // namespace jigasi::media::ice
