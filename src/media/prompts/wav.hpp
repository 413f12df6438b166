#pragma once
// A WAV reader for prompt files: RIFF/WAVE with 16-bit PCM, mono or stereo (mixed down), 8 to
// 96 kHz. The files come from users, so the parser takes any bytes without crashing and says
// what is wrong (a fuzz target can call parse_wav directly).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace jigasi::media::prompts {

/// Mono 16-bit PCM.
struct pcm_audio {
    std::uint32_t rate = 0;
    std::vector<std::int16_t> samples;
};

/// The largest file read: minutes of audio, far beyond any prompt.
inline constexpr std::size_t max_wav_bytes = std::size_t{32} << 20;
inline constexpr std::uint32_t min_wav_rate = 8000, max_wav_rate = 96000;

/// Errors: not_wav, truncated (a chunk runs past the end), unsupported (format, sample size,
/// channels, rate), no_audio, too_large. A data chunk whose size is 0xFFFFFFFF (written by
/// streaming tools that could not seek back) runs to the end of the file.
core::result<pcm_audio> parse_wav(std::span<const std::uint8_t> file);

}  // namespace jigasi::media::prompts
