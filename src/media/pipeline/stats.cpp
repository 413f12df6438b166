#include "media/pipeline/stats.hpp"

namespace jigasi::media::pipeline {

std::string summary(const leg_stats& s) {
    using std::to_string;
    return "received " + to_string(s.rx.packets) + " packets (" + to_string(s.rx.lost) + " lost, " +
           to_string(s.playout.late) + " late, " + to_string(s.playout.concealed) + " frames concealed), sent " +
           to_string(s.tx.packets);
}

}  // namespace jigasi::media::pipeline
