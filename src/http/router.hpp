#pragma once
// Path x verb table. Unknown path: 404; known path, other verb: 405 with Allow; HEAD is served by
// the GET handler with the body dropped (RFC 9110 9.3.2).

#include "http/types.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace jigasi::http {

class router {
public:
    void add(verb v, std::string path, handler h);
    /// Every path under `prefix` (which ends in '/') that has no exact route.
    void add_prefix(verb v, std::string prefix, handler h);

    boost::asio::awaitable<response> dispatch(const request& req) const;

private:
    struct route { verb method; handler h; };
    const std::vector<route>* find(std::string_view path) const;

    std::map<std::string, std::vector<route>, std::less<>> exact_;
    std::vector<std::pair<std::string, std::vector<route>>> prefixes_;
};

}  // namespace jigasi::http
