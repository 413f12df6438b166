#pragma once
#include <string>

namespace jigasi::test {

struct promtool_result {
    int exit_code = -1;
    std::string output;
};

/// Run `promtool check metrics` (Debian package prometheus) on an exposition text.
promtool_result promtool_check(const std::string& exposition);

}  // namespace jigasi::test
