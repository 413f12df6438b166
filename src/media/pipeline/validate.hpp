#pragma once
// What bridge_audio and phone_audio share beyond the packet path: refusing a configuration that
// cannot work (at call setup, with a diagnostic for the log), and the statistics both compute the
// same way.

#include "media/pipeline/rtcp_link.hpp"
#include "media/pipeline/stats.hpp"

#include <optional>
#include <string_view>

namespace jigasi::media::pipeline {
struct bridge_config;
struct phone_config;
}  // namespace jigasi::media::pipeline

namespace jigasi::media::pipeline::detail {

std::optional<core::error> check_bridge(const bridge_config& cfg, std::uint32_t phone_pcm_rate);
std::optional<core::error> check_phone(const phone_config& cfg);

/// rx loss from our receive statistics, tx from the stream and the peer's last report block,
/// RTT, and the E-model estimate of both directions for `encoding`.
void fill_common(leg_stats& st, std::int64_t lost, std::uint64_t expected, const rtp::send_stream& out,
                 const rtcp_link& rtcp, std::string_view encoding);

}  // namespace jigasi::media::pipeline::detail
