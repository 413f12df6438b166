#pragma once
// From a jitter buffer to 20 ms of PCM: pop as often as the tick needs (10 ms packets: twice; 40
// or 60 ms packets: once, then the decoded rest plays over the next ticks), and run the decoder
// the way the pop says (RFC 6716 §2.1.7 FEC for the lost frame when the next packet is here, PLC
// when it is not). Without a decoder the same pops happen and nothing is decoded: a stream the
// mixer did not select keeps its playout position at the cost of the pops alone.

#include "media/codecs/codec.hpp"
#include "media/jitter/jitter_buffer.hpp"
#include "media/pipeline/stats.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace jigasi::media::pipeline {

/// A decoder and the PCM it decoded beyond the tick that asked for it.
struct decode_lane {
    explicit decode_lane(std::unique_ptr<codecs::decoder> d);
    /// A new stream: forget the decoder's history and the decoded rest.
    void reset();

    std::unique_ptr<codecs::decoder> dec;
    std::vector<std::int16_t> pcm;  ///< one payload's worth at most (codecs::max_packet_ms)
    std::size_t rest_at = 0;        ///< the decoded rest: pcm[rest_at, rest_at + rest)
    std::size_t rest = 0;
};

/// One stream's playout position: RTP clock ticks of the last popped piece not yet played.
struct playout_state {
    std::uint32_t owed_ticks = 0;
};

/// What one tick of a stream produced.
struct fill_result {
    std::size_t audio = 0;  ///< samples of audio (decoded, FEC or concealed); the rest is silence
    std::uint32_t decoded = 0;      ///< decoder calls
    std::uint32_t decode_errors = 0;
    std::uint32_t fec = 0;
};

/// One tick of stream `jb`. `f` gives the RTP clock, the PCM rate and the frame (the tick).
/// With a lane, writes f.samples_per_frame() samples to `out`; without, `out` is not touched.
fill_result fill_tick(jitter::jitter_buffer& jb, playout_state& st, decode_lane* lane, const codecs::format& f,
                      clock::time_point now, std::span<std::int16_t> out);

/// A few samples of slack between a resampler, whose output length varies by one from call to
/// call, and a codec or a tick that takes exact frames.
class pcm_fifo {
public:
    explicit pcm_fifo(std::size_t capacity) : buf_(capacity) {}
    /// Room to write into; then commit() what was written.
    std::span<std::int16_t> space() { return std::span(buf_).subspan(len_); }
    void commit(std::size_t n) { len_ += n; }
    /// Takes exactly out.size() samples, padding with silence in front when short (start-up).
    /// Returns the samples that were padded.
    std::size_t take(std::span<std::int16_t> out);

private:
    std::vector<std::int16_t> buf_;
    std::size_t len_ = 0;
};

}  // namespace jigasi::media::pipeline
