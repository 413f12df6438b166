#pragma once
// A call-quality estimate for the admin UI and the metrics: the ITU-T G.107 E-model reduced to what
// a gateway can measure (codec, packet loss, jitter, round-trip time), giving the rating R and a MOS.
// It is an estimate for trends and alarms, not a perceptual measurement.
//
//   R = (Ro - Is) - Id - Ie,eff          (G.107; advantage factor A = 0 for a fixed network)
//   Ro - Is = 93.2                        (G.107 default values)
//   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)     (G.107 effective equipment impairment)
//   Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3)          (Cole & Rosenbluth 2001: Id for the
//        default echo parameters, in place of the full G.107 delay expressions)
//   MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6             (G.107 Annex B)

#include <chrono>
#include <optional>
#include <string_view>

namespace jigasi::media::rtp {

/// Equipment impairment Ie and packet-loss robustness Bpl of a codec (narrowband scale).
struct codec_impairment {
    double ie = 0;
    double bpl = 25.1;
};

/// The values this gateway uses, by RTP encoding name (case-insensitive):
///  - PCMU/PCMA (G.711): Ie 0, Bpl 25.1 with packet loss concealment (G.113 Appendix I, random
///    loss). Without PLC G.113 gives Bpl 4.3.
///  - G722: assumed like G.711 with PLC (Ie 0, Bpl 25.1). G.113 rates G.722 only on the wideband
///    scale of G.107.1 (Ie,wb 13 at 64 kbit/s); on this narrowband scale it is at least G.711.
///  - opus: assumed Ie 0 (transparent on the narrowband scale at the rates WebRTC uses) and Bpl 30
///    (in-band FEC and PLC); there are no ITU-T values for Opus.
///  - anything else: Ie 10, Bpl 20, a middling assumption.
codec_impairment impairment_for(std::string_view encoding);

struct quality_input {
    codec_impairment codec;
    double loss_percent = 0;  ///< Ppl, 0..100
    double burst_ratio = 1;   ///< BurstR: 1 for random loss
    std::chrono::microseconds rtt{0};
    std::chrono::microseconds jitter{0};
    /// The receive jitter buffer's delay; when unknown, twice the jitter is assumed.
    std::optional<std::chrono::microseconds> jitter_buffer_delay;
};

struct quality_estimate {
    double r = 0;
    double mos = 1;
    double one_way_delay_ms = 0;  ///< Ta = RTT/2 + jitter buffer delay
    double id = 0;
    double ie_eff = 0;
};

quality_estimate estimate_quality(const quality_input& in);

/// G.107 Annex B: R to MOS (1 below R 0, 4.5 above R 100).
double mos_from_r(double r);

}  // namespace jigasi::media::rtp
