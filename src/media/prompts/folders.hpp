#pragma once
// Where the shipped prompts are. The build writes them to <build>/prompts next to the binary
// (generate.py), and installs them to <datadir>/jigasi-ng/prompts; a binary run from the build
// tree finds the former, an installed one the latter.

#include <filesystem>
#include <vector>

namespace jigasi::media::prompts {

/// The folders holding the shipped prompts, best first: `<executable's folder>/prompts` when it
/// exists, then the data folder this build was configured to install to.
std::vector<std::filesystem::path> builtin_folders();

/// What prompt_set::load should search: `user` first when not empty, then builtin_folders().
std::vector<std::filesystem::path> search_folders(const std::filesystem::path& user = {});

}  // namespace jigasi::media::prompts
