// ICE agent, part 2: time and input. Starting, pacing the checks every Ta, nomination by the
// controlling side, retransmission and consent timers, failure, restart, datagrams in.

#include "media/ice/agent.hpp"

#include <algorithm>

namespace jigasi::media::ice {

void agent::start(time_point now) {
    if (started_ || state_ == agent_state::closed) return;
    started_ = true;
    state_ = agent_state::checking;
    start_time_ = next_check_at_ = now;
    std::optional<std::size_t> base;
    if (cfg_.stun_server) base = local_for(*cfg_.stun_server, nullptr);
    if (!base) {
        actions_.emplace_back(gathering_complete{});
        return;
    }
    transaction tx;
    tx.id = new_tid();
    tx.kind = tx_kind::gather;
    tx.base = local_[*base].address;
    tx.to = *cfg_.stun_server;
    tx.rto = cfg_.rto_min;
    txs_.push_back(tx);
    transmit(now, txs_.back());
}

void agent::pace(time_point now) {
    if (!started_ || now < next_check_at_ || remote_creds_.ufrag.empty()) return;
    if (state_ != agent_state::checking && state_ != agent_state::connected) return;
    // §6.1.4.2: one new check per Ta: the nomination, else a triggered check, else an ordinary one.
    if (nominating_ && nominate_pair_) {
        const auto p = *nominate_pair_;
        nominate_pair_.reset();
        start_check(now, p, true);
        next_check_at_ = now + cfg_.ta;
        return;
    }
    while (!triggered_.empty()) {
        const auto p = triggered_.front();
        triggered_.erase(triggered_.begin());
        if (pairs_[p].state == pair_state::succeeded || live_check(p, nullptr)) continue;
        start_check(now, p, false);
        next_check_at_ = now + cfg_.ta;
        return;
    }
    if (completed_) return;
    auto pick = [&]() -> std::optional<std::size_t> {
        std::optional<std::size_t> best;
        for (std::size_t i = 0; i < pairs_.size(); ++i)
            if (pairs_[i].in_checklist && pairs_[i].state == pair_state::waiting &&
                (!best || pairs_[i].priority > pairs_[*best].priority))
                best = i;
        return best;
    };
    auto p = pick();
    if (!p) {
        unfreeze();
        p = pick();
    }
    if (!p) return;
    start_check(now, *p, false);
    next_check_at_ = now + cfg_.ta;
}

bool agent::check_due() const {
    if ((nominating_ && nominate_pair_) || !triggered_.empty()) return true;
    if (completed_) return false;
    // What pace() would send: a waiting pair, or a frozen one that unfreeze() would thaw. Must
    // not claim work that pace() then does not do, or the glue's timer would spin.
    for (const auto& p : pairs_) {
        if (!p.in_checklist) continue;
        if (p.state == pair_state::waiting) return true;
        if (p.state != pair_state::frozen) continue;
        bool busy = false;
        for (const auto& q : pairs_) {
            if (!q.in_checklist || !same_foundation(p, q)) continue;
            if (q.state == pair_state::succeeded) return true;
            busy |= q.state == pair_state::waiting || q.state == pair_state::in_progress;
        }
        if (!busy) return true;
    }
    return false;
}

bool agent::lite_peer_due() const {
    return role_ == role::controlled && state_ == agent_state::checking && !completed_ && first_valid_at_ &&
           stats_.checks_received == 0 && cfg_.lite_peer_after.count() > 0;
}

void agent::maybe_nominate(time_point now) {
    if (lite_peer_due() && now >= *first_valid_at_ + cfg_.lite_peer_after) {
        role_ = role::controlling;  // not a conflict: nobody else controls
        stats_.lite_peer = true;
        for (auto& p : pairs_) p.priority = priority_of(p);
    }
    if (role_ != role::controlling || nominating_ || completed_ || state_ != agent_state::checking) return;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < pairs_.size(); ++i)
        if (pairs_[i].valid && pairs_[i].state == pair_state::succeeded &&
            (!best || pairs_[i].priority > pairs_[*best].priority))
            best = i;
    if (!best) return;
    // §8.1.1: stop when nothing better can still succeed, or after nomination_delay.
    bool better_pending = false;
    for (const auto& p : pairs_)
        better_pending |= p.in_checklist && p.priority > pairs_[*best].priority &&
                          (p.state == pair_state::frozen || p.state == pair_state::waiting ||
                           p.state == pair_state::in_progress);
    if (better_pending && first_valid_at_ && now < *first_valid_at_ + cfg_.nomination_delay) return;
    nominating_ = true;
    nominate_pair_ = *best;
}

void agent::fail(std::string reason) {
    state_ = agent_state::failed;
    consent_active_ = false;
    txs_.clear();
    triggered_.clear();
    actions_.emplace_back(failed{std::move(reason)});
}

void agent::check_failure(time_point now) {
    if (state_ != agent_state::checking || !started_) return;
    if (now - start_time_ >= cfg_.connect_timeout) return fail("ICE timed out without a nominated pair");
    // RFC 8838 §8: with trickle, the check list can only fail after end-of-candidates.
    if (!end_of_remote_ || pairs_.empty() || !triggered_.empty() || nominating_) return;
    for (const auto& p : pairs_)
        if (p.in_checklist && p.state != pair_state::failed) return;
    for (const auto& t : txs_)
        if (t.kind == tx_kind::check) return;
    fail("all candidate pairs failed");
}

std::chrono::milliseconds agent::consent_jitter() {
    // RFC 7675 §5.1: uniformly in [0.8, 1.2] times the interval, against synchronised bursts.
    std::uniform_real_distribution<double> d(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<long long>(cfg_.consent_interval.count() * d(rng_)));
}

void agent::on_timer(time_point now) {
    if (state_ == agent_state::failed || state_ == agent_state::closed) return;
    for (std::size_t i = 0; i < txs_.size();) {
        if (txs_[i].next_at > now) {
            ++i;
            continue;
        }
        const auto before = txs_.size();
        on_tx_timer(now, i);
        if (state_ == agent_state::failed) return;
        if (txs_.size() == before) ++i;  // retransmitted in place
    }
    if (consent_active_ && now >= consent_expiry_) {
        state_ = agent_state::failed;
        consent_active_ = false;
        txs_.clear();
        actions_.emplace_back(consent_lost{});
        return;
    }
    if (consent_active_ && now >= consent_next_) {
        send_consent(now);
        consent_next_ = now + consent_jitter();
    }
    maybe_nominate(now);
    pace(now);
    check_failure(now);
}

std::optional<agent::time_point> agent::next_deadline() const {
    if (state_ == agent_state::failed || state_ == agent_state::closed) return std::nullopt;
    std::optional<time_point> t;
    auto take = [&t](time_point x) {
        if (!t || x < *t) t = x;
    };
    for (const auto& tx : txs_) take(tx.next_at);
    if (started_ && !remote_creds_.ufrag.empty() && check_due()) take(next_check_at_);
    if (started_ && state_ == agent_state::checking) {
        take(start_time_ + cfg_.connect_timeout);
        // Only while a valid pair exists: maybe_nominate() acts on it once the delay is over.
        const bool valid = std::any_of(pairs_.begin(), pairs_.end(),
                                       [](const pair_entry& p) { return p.valid && p.state == pair_state::succeeded; });
        if (role_ == role::controlling && first_valid_at_ && valid && !nominating_ && !completed_)
            take(*first_valid_at_ + cfg_.nomination_delay);
        if (lite_peer_due()) take(*first_valid_at_ + cfg_.lite_peer_after);
    }
    if (consent_active_) {
        take(consent_next_);
        take(consent_expiry_);
    }
    return t;
}

std::optional<action> agent::poll() {
    if (actions_head_ >= actions_.size()) {
        actions_.clear();  // keeps the capacity: no allocation per packet once warm
        actions_head_ = 0;
        return std::nullopt;
    }
    return std::move(actions_[actions_head_++]);
}

void agent::restart(time_point now, credentials local) {
    if (state_ == agent_state::closed) return;
    // RFC 8445 §9: a new generation. Answers under the old credentials and consent on the old
    // pair go on until the new generation nominates a pair. "Old" is the generation of the
    // selected pair: a second restart before that keeps it, not the never-used one in between.
    if (!prev_local_creds_) prev_local_creds_ = std::move(local_creds_);
    local_creds_ = std::move(local);
    if (!prev_remote_creds_ && !remote_creds_.ufrag.empty()) prev_remote_creds_ = std::move(remote_creds_);
    remote_creds_ = {};
    std::erase_if(txs_, [](const transaction& t) { return t.kind == tx_kind::check; });
    for (auto& t : txs_)
        if (t.kind == tx_kind::consent) t.previous_credentials = true;
    std::erase_if(local_, [](const candidate& c) { return c.type == candidate_type::prflx; });
    remote_.clear();
    pairs_.clear();
    triggered_.clear();
    nominating_ = completed_ = end_of_remote_ = false;
    nominate_pair_.reset();
    first_valid_at_.reset();
    state_ = agent_state::checking;
    started_ = true;
    start_time_ = next_check_at_ = now;
}

void agent::close() {
    state_ = agent_state::closed;
    consent_active_ = false;
    txs_.clear();
    triggered_.clear();
    actions_.clear();
    actions_head_ = 0;
}

// --- input ---

bool agent::on_datagram(time_point now, const endpoint& from, std::span<const std::uint8_t> data,
                        const endpoint* local) {
    if (state_ == agent_state::closed || !stun::looks_like_stun(data)) return false;
    auto m = stun::message::parse(data);
    // RFC 5389 §7.3: a FINGERPRINT that does not verify means it is not (intact) STUN. ICE only
    // speaks Binding; anything else is dropped rather than answered.
    if (!m || m->method() != stun::method::binding || (m->has_fingerprint() && !m->verify_fingerprint()) ||
        state_ == agent_state::failed) {
        ++stats_.dropped;
        return true;
    }
    switch (m->cls()) {
    case stun::msg_class::request: handle_request(now, from, local, *m); break;
    case stun::msg_class::success:
    case stun::msg_class::error: handle_response(now, from, *m); break;
    case stun::msg_class::indication: break;  // RFC 8445 §11 keepalives need no answer
    }
    maybe_nominate(now);
    pace(now);
    check_failure(now);
    return true;
}

}  // namespace jigasi::media::ice
