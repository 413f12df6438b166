#pragma once
// Test-side networking with plain POSIX sockets, deliberately independent of the server's Asio/Beast
// code, so that tests can send arbitrary (malformed, partial, oversized) bytes.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace jigasi::test {

/// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

/// Connect, send `bytes`, read until the peer closes or `timeout` passes; "" if no connection.
std::string exchange(std::uint16_t port, std::string_view bytes,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct http_reply {
    int status = 0;          ///< 0: no (parsable) answer
    std::string headers;     ///< raw header block, lowercase names not enforced
    std::string body;
    std::string header(std::string_view name) const;  ///< case-insensitive, "" if absent
};

http_reply parse_reply(const std::string& raw);
http_reply http_request(std::uint16_t port, std::string_view method, std::string_view target,
                        std::string_view body = {});

/// A listening TCP socket on 127.0.0.1:port (closes on destruction); accepts nothing by itself.
class listener {
public:
    explicit listener(std::uint16_t port);
    ~listener();
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;
    bool ok() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

}  // namespace jigasi::test
