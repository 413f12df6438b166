#pragma once
// Test signals and how far a codec's output is from them.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace jigasi::test {

/// A sine of `freq` Hz at `rate`, continuing from sample `start`.
inline std::vector<std::int16_t> sine(double freq, std::uint32_t rate, std::size_t n, double amp,
                                      std::size_t start = 0) {
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::int16_t>(std::lround(amp * std::sin(2 * std::numbers::pi * freq * double(start + i) / rate)));
    return v;
}

struct tone_fit {
    double snr_db = 0;     ///< power of the fitted tone over the power of what is left
    double amplitude = 0;  ///< of the fitted tone
};

/// Least-squares fit of a*sin + b*cos + c at `freq`: the SNR does not depend on the codec's
/// delay or phase, only on what is not the tone (noise, distortion, other frequencies).
inline tone_fit fit_tone(std::span<const std::int16_t> x, double freq, std::uint32_t rate) {
    double ss = 0, cc = 0, sc = 0, s1 = 0, c1 = 0, xs = 0, xc = 0, x1 = 0;
    const double n = static_cast<double>(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double w = 2 * std::numbers::pi * freq * double(i) / rate;
        const double s = std::sin(w), c = std::cos(w), v = x[i];
        ss += s * s, cc += c * c, sc += s * c, s1 += s, c1 += c;
        xs += v * s, xc += v * c, x1 += v;
    }
    // Solve the 3x3 normal equations by Cramer's rule.
    const double m[3][3] = {{ss, sc, s1}, {sc, cc, c1}, {s1, c1, n}};
    const double r[3] = {xs, xc, x1};
    auto det = [](const double a[3][3]) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    };
    const double d = det(m);
    double coef[3];
    for (int k = 0; k < 3; ++k) {
        double t[3][3];
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) t[i][j] = j == k ? r[i] : m[i][j];
        coef[k] = det(t) / d;
    }
    double sig = 0, err = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double w = 2 * std::numbers::pi * freq * double(i) / rate;
        const double f = coef[0] * std::sin(w) + coef[1] * std::cos(w);
        sig += f * f;
        const double e = x[i] - f - coef[2];
        err += e * e;
    }
    return {10 * std::log10(sig / std::max(err, 1e-9)), std::hypot(coef[0], coef[1])};
}

inline double rms(std::span<const std::int16_t> x) {
    double e = 0;
    for (auto v : x) e += double(v) * v;
    return x.empty() ? 0 : std::sqrt(e / double(x.size()));
}

}  // namespace jigasi::test
