#pragma once
// An external conference mapper in jitsi-meet's format (jitsi-protocol.md §6.3), asked by the IVR
// for meeting IDs the built-in mapper does not know: GET <dialin.mapper_url>?id=<digits> answers
// {"message": "...", "id": 1234567890, "conference": "room@conference.example.com"}; an unknown ID
// is a 404, or a "conference" that is absent, false, null or "".
#include "config/store.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "http/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jigasi::app {

class mapper_client {
public:
    /// A caller waits on the keypad while we ask; past this the lookup fails with timeout.
    static constexpr std::chrono::milliseconds default_timeout{5000};

    /// Reads dialin.mapper_url from `cfg` at each lookup, so a reload applies to the next one.
    /// `cfg` and `logger` must outlive the client; the client must outlive its lookups.
    mapper_client(const config::store& cfg, const core::logger& logger,
                  std::chrono::milliseconds timeout = default_timeout);

    /// True when dialin.mapper_url is set.
    bool configured() const;

    /// The conference ("room@muc", lower-cased) of a meeting ID of 1..32 digits. nullopt: the mapper
    /// does not know it, or no mapper is configured. An error (logged once here, with its cause):
    /// the digits are not digits (bad_input), transport failure or timeout (http_get's codes), an
    /// answer that is not jitsi-meet's JSON (bad_input), over 64 KiB (limit_exceeded), or an HTTP
    /// status other than 2xx and 404 (unavailable; redirects are not followed). Runs on the
    /// caller's executor.
    boost::asio::awaitable<core::result<std::optional<std::string>>> lookup(std::string digits) const;

private:
    const config::store& cfg_;
    core::log_channel log_;
    std::chrono::milliseconds timeout_;
};

/// `base` + "?id=<digits>", or "&id=<digits>" when `base` already has a query (a fragment is dropped).
std::string mapper_lookup_url(std::string_view base, std::string_view digits);

/// Reads a mapper's answer to a lookup of `digits` (no I/O; what lookup() does with a response).
core::result<std::optional<std::string>> parse_mapper_reply(const http::http_response& reply, std::string_view digits);

}  // namespace jigasi::app
