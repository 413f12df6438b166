// ICE agent, part 3: the wire. Sending and retransmitting checks, answering the peer's checks,
// processing answers, nomination and the selected pair.

#include "media/ice/agent.hpp"

#include <algorithm>

namespace jigasi::media::ice {

namespace attr = stun::attr;

stun::transaction_id agent::new_tid() {
    stun::transaction_id id{};
    if (!(cfg_.random ? cfg_.random(id) : system_random(id)))
        for (auto& b : id) b = static_cast<std::uint8_t>(rng_());
    return id;
}

send_datagram* agent::new_datagram(const endpoint& to) {
    auto& a = actions_.emplace_back(std::in_place_type<send_datagram>);
    auto* d = std::get_if<send_datagram>(&a);
    d->to = to;
    return d;
}

namespace {

/// Puts the finished message into the queued datagram, or takes the datagram back off the queue.
void seal(std::vector<action>& actions, send_datagram* d, const stun::message_writer& w) {
    if (auto r = w.finish())
        d->size = static_cast<std::uint16_t>(r->size());
    else
        actions.pop_back();
}

std::uint16_t local_pref(const candidate& c) { return static_cast<std::uint16_t>((c.priority >> 8) & 0xFFFF); }

}  // namespace

// --- our checks ---

void agent::start_check(time_point now, std::size_t pi, bool use_candidate) {
    auto& p = pairs_[pi];
    transaction tx;
    tx.id = new_tid();
    tx.pair = pi;
    tx.to = remote_[p.remote].address;
    tx.sent_as = role_;
    tx.use_candidate = use_candidate;
    // §7.2.2: PRIORITY is what a peer-reflexive candidate learned from this check would get.
    tx.priority = candidate_priority(type_preference(candidate_type::prflx), local_pref(local_[p.local]));
    // §14.3: RTO = MAX(500 ms, Ta * (Num-Waiting + Num-In-Progress)).
    std::int64_t active = 0;
    for (const auto& q : pairs_) active += q.state == pair_state::waiting || q.state == pair_state::in_progress;
    tx.rto = std::max(cfg_.rto_min, cfg_.ta * active);
    if (p.state != pair_state::succeeded) p.state = pair_state::in_progress;  // a nomination keeps "succeeded"
    txs_.push_back(tx);
    transmit(now, txs_.back());
}

void agent::send_consent(time_point now) {
    if (!stats_.selected) return;
    transaction tx;
    tx.id = new_tid();
    tx.kind = tx_kind::consent;
    tx.to = stats_.selected->remote.address;
    tx.sent_as = role_;
    tx.priority = candidate_priority(type_preference(candidate_type::prflx), local_pref(stats_.selected->local));
    // During a restart the old pair keeps its consent under the old credentials until the peer's
    // new ones are signalled.
    tx.previous_credentials = remote_creds_.ufrag.empty();
    if (tx.previous_credentials && (!prev_remote_creds_ || !prev_local_creds_)) return;
    // RFC 7675 §5.1: each consent check is a new transaction; one lost is covered by the next.
    tx.rto = cfg_.consent_interval;
    ++stats_.consent_checks_sent;
    txs_.push_back(tx);
    transmit(now, txs_.back());
}

void agent::transmit(time_point now, transaction& tx) {
    auto* d = new_datagram(tx.to);
    stun::message_writer w(d->data, stun::msg_class::request, stun::method::binding, tx.id);
    if (tx.kind != tx_kind::gather) {
        const credentials& rc = tx.previous_credentials ? *prev_remote_creds_ : remote_creds_;
        const credentials& lc = tx.previous_credentials ? *prev_local_creds_ : local_creds_;
        // §7.2.2: USERNAME "remote:local", PRIORITY, our role with the tie-breaker, USE-CANDIDATE
        // when nominating, short-term integrity with the peer's password, FINGERPRINT.
        std::array<char, 2 * 256 + 1> user{};
        if (rc.ufrag.size() + 1 + lc.ufrag.size() <= user.size()) {
            auto* e = std::copy(rc.ufrag.begin(), rc.ufrag.end(), user.data());
            *e++ = ':';
            e = std::copy(lc.ufrag.begin(), lc.ufrag.end(), e);
            w.add_string(attr::username, std::string_view(user.data(), static_cast<std::size_t>(e - user.data())));
        } else {
            w.add(attr::username, std::span<const std::uint8_t>(d->data));  // too long: fails the writer
        }
        w.add_u32(attr::priority, tx.priority);
        w.add_u64(tx.sent_as == role::controlling ? attr::ice_controlling : attr::ice_controlled, tie_breaker_);
        if (tx.use_candidate) w.add_flag(attr::use_candidate);
        w.add_integrity(rc.pwd);
    }
    w.add_fingerprint();
    seal(actions_, d, w);

    ++tx.sent;
    tx.last_sent = now;
    tx.next_at = now + tx.rto;
    // RFC 5389 §7.2.1: the interval doubles, here up to rto_max (or the first RTO if larger).
    tx.rto = std::min(tx.rto * 2, std::max(cfg_.rto_max, tx.rto));
    if (tx.kind == tx_kind::gather) return;
    ++stats_.checks_sent;
    if (tx.sent > 1) ++stats_.retransmissions;
}

void agent::on_tx_timer(time_point now, std::size_t i) {
    auto& tx = txs_[i];
    if (tx.kind == tx_kind::consent || tx.cancelled) {
        txs_.erase(txs_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
    }
    if (tx.sent < cfg_.max_transmissions) return transmit(now, tx);
    // No answer after the last transmission: the transaction failed (RFC 5389 §7.2.1).
    const transaction t = tx;
    txs_.erase(txs_.begin() + static_cast<std::ptrdiff_t>(i));
    if (t.kind == tx_kind::gather) {
        actions_.emplace_back(gathering_complete{});
        return;
    }
    auto& p = pairs_[t.pair];
    if (t.use_candidate) {
        // The nominated pair does not answer: give it up and nominate the next best valid pair.
        nominating_ = false;
        p.valid = false;
        p.state = pair_state::failed;
    } else if (!live_check(t.pair, nullptr) && p.state == pair_state::in_progress) {
        p.state = pair_state::failed;
    }
}

// --- the peer's checks ---

void agent::answer_error(const endpoint& to, const stun::message& req, std::uint16_t code, std::string_view reason,
                         const std::string* key) {
    ++stats_.checks_refused;
    auto* d = new_datagram(to);
    stun::message_writer w(d->data, stun::msg_class::error, stun::method::binding, req.tid());
    w.add_error(code, reason);
    if (code == stun::code::unknown_attribute) w.add_unknown_attributes(req.unknown_required());
    if (key) w.add_integrity(*key);
    w.add_fingerprint();
    seal(actions_, d, w);
}

void agent::handle_request(time_point now, const endpoint& from, const endpoint* local, const stun::message& m) {
    // §7.2.2: FINGERPRINT is mandatory in checks; without it this may be another protocol's
    // datagram that happens to look like STUN (RFC 5389 §8).
    if (!m.has_fingerprint()) {
        ++stats_.dropped;
        return;
    }
    const auto user = m.username();
    // RFC 5389 §10.1.2: without USERNAME and MESSAGE-INTEGRITY: 400, an unknown username or a
    // wrong HMAC: 401; neither carries integrity, and nothing about the agent changes.
    if (!user || !m.has_integrity()) return answer_error(from, m, stun::code::bad_request, "Bad Request", nullptr);
    const auto colon = user->find(':');
    const auto ours = user->substr(0, colon);
    const credentials* creds = nullptr;
    if (colon != std::string_view::npos) {
        if (ours == local_creds_.ufrag)
            creds = &local_creds_;
        else if (prev_local_creds_ && ours == prev_local_creds_->ufrag)
            creds = &*prev_local_creds_;
    }
    if (!creds || !m.verify_integrity(creds->pwd))
        return answer_error(from, m, stun::code::unauthorized, "Unauthorized", nullptr);
    const std::string* key = &creds->pwd;
    if (!m.unknown_required().empty()) return answer_error(from, m, stun::code::unknown_attribute, "Unknown Attribute", key);
    const auto prio = m.priority();  // §7.2.2: every check carries PRIORITY
    if (!prio || *prio == 0) return answer_error(from, m, stun::code::bad_request, "Bad Request", key);
    ++stats_.checks_received;

    // §7.3.1.1: both sides claim the same role; the larger tie-breaker controls.
    if (role_ == role::controlling && m.ice_controlling()) {
        if (tie_breaker_ >= *m.ice_controlling()) {
            ++stats_.role_conflicts;
            return answer_error(from, m, stun::code::role_conflict, "Role Conflict", key);
        }
        switch_role(role::controlled);
    } else if (role_ == role::controlled && m.ice_controlled()) {
        if (tie_breaker_ < *m.ice_controlled()) {
            ++stats_.role_conflicts;
            return answer_error(from, m, stun::code::role_conflict, "Role Conflict", key);
        }
        switch_role(role::controlling);
    }

    // §7.3.1.2: success, the source as XOR-MAPPED-ADDRESS, integrity with our password.
    auto* d = new_datagram(from);
    stun::message_writer w(d->data, stun::msg_class::success, stun::method::binding, m.tid());
    w.add_xor_address(attr::xor_mapped_address, from).add_integrity(*key).add_fingerprint();
    seal(actions_, d, w);
    if (creds != &local_creds_ || state_ == agent_state::failed) return;  // previous generation: answered only

    const auto li = local_for(from, local);
    if (!li) return;
    auto ri = find_remote(from);
    if (!ri) {
        // §7.3.1.3: an unknown source is a peer-reflexive remote candidate with the check's PRIORITY.
        if (remote_.size() >= cfg_.max_remote_candidates) return;
        candidate c;
        c.type = candidate_type::prflx;
        c.address = c.base = from;
        c.priority = *prio;
        c.foundation = "prflx" + std::to_string(++prflx_count_);
        remote_.push_back(std::move(c));
        ri = remote_.size() - 1;
    }
    // §7.3.1.4: a triggered check on the pair the check came in on.
    auto pi = find_pair(*li, *ri);
    if (!pi) {
        pi = add_pair(*li, *ri, pair_state::waiting, true);
        if (!pi) return;
        enqueue_triggered(*pi);
    } else if (pairs_[*pi].state != pair_state::succeeded) {
        if (pairs_[*pi].state == pair_state::in_progress)
            for (auto& t : txs_)  // cancelled: no more retransmissions, an answer still counts
                if (t.kind == tx_kind::check && t.pair == *pi && !t.use_candidate) t.cancelled = true;
        pairs_[*pi].state = pair_state::waiting;
        enqueue_triggered(*pi);
    }
    // §7.3.1.5: the controlling side nominates with USE-CANDIDATE.
    if (role_ == role::controlled && m.use_candidate()) {
        auto& p = pairs_[*pi];
        if (p.state == pair_state::succeeded && p.valid_pair)
            nominate(now, *p.valid_pair);
        else
            p.nominate_on_success = true;
    }
}

// --- answers to our checks ---

void agent::handle_gather_response(const transaction& tx, const stun::message& m) {
    const auto base = find_local(tx.base);
    if (m.cls() == stun::msg_class::success && base) {
        auto mapped = m.xor_mapped_address();
        if (!mapped) mapped = m.mapped_address();  // RFC 3489 servers
        // RFC 8445 §5.1.3: a reflexive address equal to a known candidate is redundant.
        if (mapped && !find_local(*mapped)) {
            candidate c;
            c.type = candidate_type::srflx;
            c.address = *mapped;
            c.base = c.related = tx.base;
            c.priority = candidate_priority(type_preference(candidate_type::srflx), local_pref(local_[*base]));
            if (const auto li = add_local(std::move(c))) actions_.emplace_back(local_candidate_added{local_[*li]});
        }
    }
    actions_.emplace_back(gathering_complete{});
}

void agent::handle_response(time_point now, const endpoint& from, const stun::message& m) {
    auto it = std::find_if(txs_.begin(), txs_.end(), [&](const transaction& t) { return t.id == m.tid(); });
    if (it == txs_.end()) {
        ++stats_.dropped;  // late, duplicate or forged
        return;
    }
    if (it->kind == tx_kind::gather) {
        if (from != it->to) return;
        const transaction tx = *it;
        txs_.erase(it);
        return handle_gather_response(tx, m);
    }
    if (!m.has_fingerprint()) {  // §7.2.2, as for requests
        ++stats_.dropped;
        return;
    }
    const credentials* rc = it->previous_credentials ? (prev_remote_creds_ ? &*prev_remote_creds_ : nullptr) : &remote_creds_;
    const bool authentic = rc && m.has_integrity() && m.verify_integrity(rc->pwd);
    const auto err = m.error();
    // A success or a 487 must carry the peer's integrity (§7.2.5); 400/401 cannot (RFC 5389 §10.1.2).
    if ((m.cls() == stun::msg_class::error && !err) ||
        (!authentic && (m.cls() == stun::msg_class::success || err->code == stun::code::role_conflict))) {
        ++stats_.dropped;
        return;
    }
    const transaction tx = *it;
    txs_.erase(it);
    ++stats_.responses_received;
    if (tx.sent == 1) stats_.last_rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - tx.last_sent);

    if (tx.kind == tx_kind::consent) {
        // RFC 7675 §5.1: an authenticated answer from the selected remote renews consent.
        if (m.cls() == stun::msg_class::success && consent_active_ && from == tx.to && stats_.selected &&
            tx.to == stats_.selected->remote.address)
            consent_expiry_ = now + cfg_.consent_timeout;
        return;
    }
    const std::size_t pi = tx.pair;
    auto give_up = [&] {
        if (tx.use_candidate) {
            nominating_ = false;
            pairs_[pi].valid = false;
            pairs_[pi].state = pair_state::failed;
        } else if (!live_check(pi, nullptr)) {
            pairs_[pi].state = pair_state::failed;
        }
    };
    // §7.2.5.2.1: the answer must come from where the check went.
    if (from != tx.to) return give_up();
    if (m.cls() == stun::msg_class::error) {
        if (err->code != stun::code::role_conflict) return give_up();  // §7.2.5.2.4: unrecoverable
        // §7.2.5.1: take the role opposite to the one we claimed (unless done already) and retry.
        if (tx.sent_as == role_) switch_role(role_ == role::controlling ? role::controlled : role::controlling);
        if (tx.use_candidate) nominating_ = false;
        if (pairs_[pi].state != pair_state::succeeded) pairs_[pi].state = pair_state::waiting;
        enqueue_triggered(pi);
        return;
    }
    const auto mapped = m.xor_mapped_address();
    if (!mapped || !m.unknown_required().empty()) return give_up();  // RFC 5389 §7.3.3

    // §7.2.5.3.1: a mapped address we do not know is a local prflx candidate, priority as sent.
    auto li = find_local(*mapped);
    if (!li) {
        candidate c;
        c.type = candidate_type::prflx;
        c.address = *mapped;
        c.base = c.related = local_[pairs_[pi].local].base;
        c.priority = tx.priority;
        li = add_local(std::move(c));
    }
    // §7.2.5.3.2: the valid pair is (mapped local candidate, the check's remote candidate).
    std::size_t vi = pi;
    if (li && *li != pairs_[pi].local) {
        if (auto q = find_pair(*li, pairs_[pi].remote))
            vi = *q;
        else if (auto added = add_pair(*li, pairs_[pi].remote, pair_state::succeeded, false))
            vi = *added;
    }
    pairs_[pi].state = pair_state::succeeded;
    pairs_[pi].valid_pair = vi;
    pairs_[vi].valid = true;
    pairs_[vi].state = pair_state::succeeded;
    if (!first_valid_at_) first_valid_at_ = now;
    // §7.2.5.3.3: the foundation worked; its frozen pairs may go.
    if (!completed_)
        for (auto& q : pairs_)
            if (q.in_checklist && q.state == pair_state::frozen && same_foundation(q, pairs_[pi])) q.state = pair_state::waiting;
    // §7.2.5.3.4 (our USE-CANDIDATE check succeeded) and §7.3.1.5 (the peer's came first).
    if (tx.use_candidate && tx.sent_as == role::controlling && role_ == role::controlling) {
        nominating_ = false;
        nominate(now, vi);
    } else if (role_ == role::controlled && pairs_[pi].nominate_on_success) {
        nominate(now, vi);
    }
}

// --- nomination ---

void agent::nominate(time_point now, std::size_t vi) {
    pairs_[vi].nominated = true;
    // §8.1.1: of several nominated pairs, the one with the highest priority carries media.
    std::size_t best = vi;
    for (std::size_t i = 0; i < pairs_.size(); ++i)
        if (pairs_[i].nominated && pairs_[i].valid && pairs_[i].priority > pairs_[best].priority) best = i;
    select(now, best);
}

void agent::select(time_point now, std::size_t vi) {
    const auto& p = pairs_[vi];
    const bool changed = !stats_.selected || stats_.selected->local.address != local_[p.local].address ||
                         stats_.selected->remote.address != remote_[p.remote].address;
    stats_.selected = info(p);
    // §8.1.2: the check list is complete: no more ordinary checks, no retransmissions on lower pairs.
    completed_ = true;
    triggered_.clear();
    for (auto& t : txs_)
        if (t.kind == tx_kind::check && !t.use_candidate && pairs_[t.pair].priority < p.priority) t.cancelled = true;
    // A restart is over once the new generation has nominated: the old credentials go.
    prev_local_creds_.reset();
    prev_remote_creds_.reset();
    std::erase_if(txs_, [](const transaction& t) { return t.previous_credentials; });
    consent_active_ = true;
    consent_expiry_ = now + cfg_.consent_timeout;
    consent_next_ = now + consent_jitter();
    if (changed) actions_.emplace_back(selected_pair_changed{local_[p.local], remote_[p.remote]});
    if (state_ != agent_state::connected) {
        state_ = agent_state::connected;
        actions_.emplace_back(connected{});
    }
}

}  // namespace jigasi::media::ice
