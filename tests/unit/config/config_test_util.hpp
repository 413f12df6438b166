#pragma once
// Helpers shared by the configuration tests.

#include "config/load.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace jigasi::config::test {

/// The source tree: meson sets JIGASI_SOURCE_ROOT; by hand, run from the tree or a build dir in it.
inline std::filesystem::path source_root() {
    if (const char* root = std::getenv("JIGASI_SOURCE_ROOT"); root && *root) return root;
    for (std::filesystem::path p : {".", "..", "../..", "../../.."})
        if (std::filesystem::exists(p / "config" / "jigasi-ng.json")) return p;
    return ".";
}

inline std::vector<std::string> lines(const std::vector<problem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems) out.push_back(p.to_string());
    return out;
}

inline std::vector<std::string> errors_of(std::string_view text) {
    return lines(parse(text, "test.json").errors);
}

/// parse() that must succeed; the errors are in the failure message otherwise.
inline config parse_ok(std::string_view text) {
    auto r = parse(text, "test.json");
    if (!r.value) {
        std::string all;
        for (const auto& l : lines(r.errors)) all += l + "\n";
        throw std::runtime_error("unexpected errors:\n" + all);
    }
    return *r.value;
}

}  // namespace jigasi::config::test
