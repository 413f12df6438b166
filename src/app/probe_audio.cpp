#include "app/probe_audio.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace jigasi::app {

probe_audio::probe_audio(std::uint32_t rate, double tone_hz, std::chrono::seconds record, std::mutex& mutex)
    : rate_(rate), tone_hz_(tone_hz), capacity_(static_cast<std::size_t>(rate) * record.count()), mutex_(mutex),
      last_(rate, 0) {
    recording_.reserve(capacity_);
}

void probe_audio::play(std::span<const std::int16_t> pcm) {
    std::lock_guard lock(mutex_);
    const auto n = std::min(pcm.size(), capacity_ - recording_.size());
    recording_.insert(recording_.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(n));
    for (auto s : pcm) {
        last_[last_pos_] = s;
        last_pos_ = (last_pos_ + 1) % last_.size();
    }
}

bool probe_audio::capture(std::span<std::int16_t> pcm) {
    if (tone_hz_ <= 0) return false;
    // -10 dBFS: loud enough to be selected as a speaker, far from clipping.
    const double w = 2 * std::numbers::pi * tone_hz_ / rate_, amp = 0.316 * 32767;
    for (auto& s : pcm) s = static_cast<std::int16_t>(std::lround(amp * std::sin(w * static_cast<double>(phase_++))));
    phase_ %= rate_;  // whole seconds: the tone's phase repeats exactly
    return true;
}

boost::json::array probe_audio::heard() const {
    // Goertzel power per 20 Hz bin, as an amplitude relative to full scale.
    const std::size_t n = last_.size();
    std::vector<std::pair<double, double>> bins;  // hz, dBFS
    for (double hz = 100; hz <= 4000 && hz < rate_ / 2.0; hz += 20) {
        const double coeff = 2 * std::cos(2 * std::numbers::pi * hz / rate_);
        double s1 = 0, s2 = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double s0 = last_[(last_pos_ + i) % n] / 32768.0 + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        const double amplitude = 2 * std::sqrt(std::max(power, 0.0)) / static_cast<double>(n);
        bins.emplace_back(hz, 20 * std::log10(std::max(amplitude, 1e-9)));
    }
    std::vector<std::pair<double, double>> peaks;
    for (std::size_t i = 0; i < bins.size(); ++i) {
        const double db = bins[i].second;
        if (db < -40) continue;
        if (i > 0 && bins[i - 1].second >= db) continue;
        if (i + 1 < bins.size() && bins[i + 1].second > db) continue;
        peaks.push_back(bins[i]);
    }
    std::sort(peaks.begin(), peaks.end(), [](auto& a, auto& b) { return a.second > b.second; });
    boost::json::array out;
    for (std::size_t i = 0; i < peaks.size() && i < 8; ++i)
        out.push_back(boost::json::object{{"hz", peaks[i].first}, {"dbfs", std::round(peaks[i].second * 10) / 10}});
    return out;
}

std::string probe_audio::wav() const {
    auto le = [](std::string& s, std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    const auto data = static_cast<std::uint32_t>(recording_.size() * 2);
    std::string w = "RIFF";
    le(w, 36 + data, 4);
    w += "WAVEfmt ";
    le(w, 16, 4);
    le(w, 1, 2);          // PCM
    le(w, 1, 2);          // mono
    le(w, rate_, 4);
    le(w, rate_ * 2, 4);  // bytes per second
    le(w, 2, 2);          // block align
    le(w, 16, 2);         // bits
    w += "data";
    le(w, data, 4);
    for (auto s : recording_) le(w, static_cast<std::uint16_t>(s), 2);
    return w;
}

}  // namespace jigasi::app
