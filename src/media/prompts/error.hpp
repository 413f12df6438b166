#pragma once
// Why a prompt file or a prompt set was refused. Reading a user's file is bad input, never an
// exception (house style §6); the diagnostic names the file or the prompt.

#include <system_error>

#include "core/result.hpp"

namespace jigasi::media::prompts {

enum class errc {
    not_wav = 1,    ///< not a RIFF/WAVE file
    truncated,      ///< a chunk runs past the end of the file
    unsupported,    ///< a WAV we do not play: not 16-bit PCM, more than 2 channels, odd rate
    no_audio,       ///< no data chunk, or one without a whole sample
    too_large,      ///< larger than max_wav_bytes
    not_found,      ///< a prompt is in none of the folders
    read_failed,    ///< the file exists but could not be read
    bad_parameter,  ///< a language name we will not put in a path
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace jigasi::media::prompts

template <>
struct std::is_error_code_enum<jigasi::media::prompts::errc> : std::true_type {};
