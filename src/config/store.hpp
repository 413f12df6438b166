#pragma once
// The live configuration: an immutable snapshot that readers copy cheaply and a reload replaces.

#include "config/config.hpp"
#include "config/diff.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace jigasi::config {

class store {
public:
    using snapshot = std::shared_ptr<const config>;
    /// Called (on the thread that calls replace) with the old and new snapshot and what changed.
    using listener = std::function<void(const snapshot& before, const snapshot& after,
                                        const std::vector<change>& changes)>;

    explicit store(config initial);

    snapshot get() const;

    /// Swap in a new model and notify listeners; returns the changes (empty: nothing changed,
    /// listeners are not called).
    std::vector<change> replace(config next);

    void subscribe(listener l);

private:
    mutable std::mutex mutex_;
    snapshot current_;
    std::vector<listener> listeners_;
};

}  // namespace jigasi::config
