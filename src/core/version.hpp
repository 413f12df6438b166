#pragma once
#include <string_view>

namespace jigasi::core {
/// `git describe` of the build (or the project version outside a git tree).
std::string_view version();
}  // namespace jigasi::core
