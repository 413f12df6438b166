#pragma once
// The admin web UI's files, embedded in the binary at build time from webui/ (webui/embed.py).

#include <span>
#include <string_view>

namespace jigasi::http {

struct asset {
    std::string_view path;           ///< "/index.html", "/app.js"
    std::string_view content_type;
    std::string_view body;
};

std::span<const asset> embedded_assets();

}  // namespace jigasi::http
