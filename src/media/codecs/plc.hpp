#pragma once
// Packet loss concealment for codecs that have none of their own (G.711, G.722): repeat the last
// pitch period with a fade, after ITU-T G.711 Appendix I. Works at any rate up to 48 kHz; all
// buffers are members, so concealing a frame allocates nothing.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace jigasi::media::codecs {

class plc {
public:
    explicit plc(std::uint32_t sample_rate);

    /// A frame that arrived: records it as history and, after a loss, fades from the synthetic
    /// signal into it (modifies the first samples of `pcm`).
    void good_frame(std::span<std::int16_t> pcm);
    /// Fills `out` with the continuation of the signal; silence after 60 ms of loss.
    void conceal(std::span<std::int16_t> out);
    void reset();

    std::size_t pitch() const { return pitch_; }  ///< samples, of the last concealment

private:
    // 66..200 Hz pitch, a 20 ms correlation window (G.711 Appendix I §I.2.1), at 48 kHz at most.
    static constexpr std::size_t max_pitch = 48000 / 66 + 1;
    static constexpr std::size_t max_history = max_pitch + 48000 / 50;

    void start_loss();
    float gain_at(std::size_t lost_sample) const;

    std::uint32_t rate_;
    std::size_t min_pitch_, max_pitch_, corr_, history_len_, overlap_ = 0;
    std::array<std::int16_t, max_history> history_{};
    std::array<float, max_pitch> period_{};
    std::size_t pitch_ = 0;
    std::size_t offset_ = 0;   ///< read position in period_
    std::size_t lost_ = 0;     ///< samples concealed since the last good frame
};

}  // namespace jigasi::media::codecs
