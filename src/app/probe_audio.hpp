#pragma once
// The audio side of a room probe with media: a test tone toward the conference and a recorder of
// what the conference sends back, with a coarse spectrum that names the tones heard. Lets an
// operator check the whole media path (ICE, DTLS-SRTP, Opus, mixing) without a phone.
#include "call/bridge_leg.hpp"

#include <boost/json/array.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace jigasi::app {

class probe_audio final : public call::audio_port {
public:
    /// `mutex` guards the recording (HTTP threads read it); tone_hz 0 sends nothing.
    probe_audio(std::uint32_t rate, double tone_hz, std::chrono::seconds record, std::mutex& mutex);

    void play(std::span<const std::int16_t> pcm) override;
    bool capture(std::span<std::int16_t> pcm) override;
    void on_dtmf(char key) override { keys_ += key; }

    /// Tones in the last second of what was heard (local maxima of a 20 Hz grid over
    /// 100..4000 Hz, at least -40 dBFS), loudest first. Call with the mutex held.
    boost::json::array heard() const;
    /// The recording as a 16-bit mono WAV file. Call with the mutex held.
    std::string wav() const;
    const std::string& keys() const { return keys_; }
    std::uint32_t rate() const { return rate_; }

private:
    std::uint32_t rate_;
    double tone_hz_;
    std::uint64_t phase_ = 0;
    std::size_t capacity_;
    std::mutex& mutex_;
    std::vector<std::int16_t> recording_;  ///< the first `record` seconds heard
    std::vector<std::int16_t> last_;       ///< ring of the last second, for heard()
    std::size_t last_pos_ = 0;
    std::string keys_;
};

}  // namespace jigasi::app
