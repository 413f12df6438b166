#include "support/net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace jigasi::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

}  // namespace

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    auto a = loopback(0);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string exchange(std::uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    auto a = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return {};
    }
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may answer and close before reading everything
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

std::string http_reply::header(std::string_view name) const {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    const auto h = lower(headers);
    const auto key = "\n" + lower(std::string(name)) + ":";
    const auto pos = h.find(key);
    if (pos == std::string::npos) return {};
    auto start = pos + key.size();
    const auto end = headers.find("\r\n", start);
    while (start < end && headers[start] == ' ') ++start;
    return headers.substr(start, end - start);
}

http_reply parse_reply(const std::string& raw) {
    http_reply r;
    if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return r;
    r.status = std::atoi(raw.c_str() + 9);
    const auto split = raw.find("\r\n\r\n");
    r.headers = raw.substr(0, split);
    if (split != std::string::npos) r.body = raw.substr(split + 4);
    const auto length = r.header("content-length");
    if (!length.empty()) r.body.resize(std::min<std::size_t>(r.body.size(), std::stoul(length)));
    return r;
}

http_reply http_request(std::uint16_t port, std::string_view method, std::string_view target,
                        std::string_view body) {
    std::string req = std::string(method) + " " + std::string(target) +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!body.empty() || method == "POST")
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    return parse_reply(exchange(port, req));
}

listener::listener(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto a = loopback(port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

listener::~listener() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace jigasi::test
