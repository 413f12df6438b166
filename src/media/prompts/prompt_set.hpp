#pragma once
// Every prompt of one language, in memory, ready to play at any call's rate. One set serves all
// calls (share it by shared_ptr): the resampled forms are made on first use, once, thread-safely,
// and never change afterwards, so a player's spans stay valid for the set's lifetime.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "media/prompts/prompt_id.hpp"
#include "media/prompts/wav.hpp"

namespace jigasi::media::prompts {

class prompt_set {
public:
    /// The rates samples() serves: the mixing rates of codecs/rates.hpp and Opus's others.
    static constexpr std::array<std::uint32_t, 6> rates = {8000, 12000, 16000, 24000, 32000, 48000};
    static bool supports(std::uint32_t rate);

    /// Reads every prompt of `language` ("en") as `<folder>/<language>/<id>.wav`, each from the
    /// first of `folders` that has it: list the user's folder before the built-in ones
    /// (builtin_folders() in folders.hpp) and a user file replaces just that prompt.
    /// Errors: not_found naming the first missing prompt and where it was looked for; the
    /// parse_wav errors, read_failed and too_large naming the file; bad_parameter for a language
    /// that is not 1 to 32 of [A-Za-z0-9_-]. A broken user file is an error, not a fallback.
    static core::result<std::shared_ptr<const prompt_set>> load(
        std::string_view language, std::span<const std::filesystem::path> folders);

    /// The prompt at `rate`, resampled (speexdsp, quality 5) on the first request and kept.
    /// Empty for a rate supports() refuses. Thread-safe.
    std::span<const std::int16_t> samples(prompt_id id, std::uint32_t rate) const;
    /// Resamples every prompt for `rate` now, e.g. at start-up, so no call waits for it.
    void prepare(std::uint32_t rate) const;

    /// The file each prompt came from, for logs.
    const std::filesystem::path& source(prompt_id id) const { return entries_[index(id)].source; }
    std::uint32_t file_rate(prompt_id id) const { return entries_[index(id)].file.rate; }
    const std::string& language() const { return language_; }

    prompt_set(const prompt_set&) = delete;
    prompt_set& operator=(const prompt_set&) = delete;

private:
    struct at_rate {
        std::once_flag once;
        std::vector<std::int16_t> pcm;
    };
    struct entry {
        std::filesystem::path source;
        pcm_audio file;
        mutable std::array<at_rate, rates.size()> cache;
    };
    static std::size_t index(prompt_id id) { return static_cast<std::size_t>(id); }

    prompt_set() = default;

    std::string language_;
    std::array<entry, prompt_count> entries_;
};

/// Reads and parses one WAV file (errors name it).
core::result<pcm_audio> read_wav_file(const std::filesystem::path& file);

/// All of `in` at `out_rate`: the filter delay removed and the tail flushed, so the length is
/// in.size() * out_rate / in_rate, rounded. Rates as resampler accepts them.
std::vector<std::int16_t> resample_whole(std::span<const std::int16_t> in, std::uint32_t in_rate,
                                         std::uint32_t out_rate, int quality = 5);

}  // namespace jigasi::media::prompts
