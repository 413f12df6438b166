// The live configuration snapshot.

#include "config/store.hpp"

#include <utility>

namespace jigasi::config {

namespace {

// Serialises replace() calls so that listeners see changes in the order they were made (A->B
// before B->C) while `mutex_` is not held, leaving get() free for the listeners themselves.
// Shared by all stores; there is one per process. A listener must not call replace().
std::mutex& replace_order() {
    static std::mutex m;
    return m;
}

}  // namespace

store::store(config initial) : current_(std::make_shared<const config>(std::move(initial))) {}

store::snapshot store::get() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::vector<change> store::replace(config next) {
    std::lock_guard order(replace_order());
    auto after = std::make_shared<const config>(std::move(next));
    snapshot before;
    std::vector<listener> listeners;
    std::vector<change> changes;
    {
        std::lock_guard lock(mutex_);
        changes = diff(*current_, *after);
        if (changes.empty()) return changes;
        before = std::exchange(current_, after);
        listeners = listeners_;
    }
    // Outside the lock: a listener may call get() (or subscribe()) without deadlocking.
    for (const auto& l : listeners) l(before, after, changes);
    return changes;
}

void store::subscribe(listener l) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(l));
}

}  // namespace jigasi::config
