#pragma once
// The prompts jigasi-ng speaks to callers. The names are stable: they are the file names of the
// built-in set (en.txt, generate.py) and of the files a user puts in a folder to replace them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jigasi::media::prompts {

enum class prompt_id : std::uint8_t {
    enter_meeting_id,
    unknown_meeting_id,
    enter_pin,
    wrong_pin,
    wait_for_start,
    alone,
    in_lobby,
    admitted,
    rejected,
    muted,
    unmuted,
    unmute_not_allowed,
    hand_raised,
    hand_lowered,
    conference_ended,
    error,
    cue_mute,    ///< a short falling beep, no speech
    cue_unmute,  ///< a short rising beep, no speech
};

/// In prompt_id order.
inline constexpr std::array<std::string_view, 18> prompt_names = {
    "enter_meeting_id", "unknown_meeting_id",
    "enter_pin",        "wrong_pin",
    "wait_for_start",   "alone",
    "in_lobby",         "admitted",
    "rejected",         "muted",
    "unmuted",          "unmute_not_allowed",
    "hand_raised",      "hand_lowered",
    "conference_ended", "error",
    "cue_mute",         "cue_unmute",
};
inline constexpr std::size_t prompt_count = prompt_names.size();
static_assert(static_cast<std::size_t>(prompt_id::cue_unmute) + 1 == prompt_count);

inline std::string_view name(prompt_id id) {
    return prompt_names[static_cast<std::size_t>(id)];
}

inline std::optional<prompt_id> prompt_from_name(std::string_view s) {
    for (std::size_t i = 0; i < prompt_count; ++i)
        if (prompt_names[i] == s) return static_cast<prompt_id>(i);
    return std::nullopt;
}

}  // namespace jigasi::media::prompts
