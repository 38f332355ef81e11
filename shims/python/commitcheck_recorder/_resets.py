"""Which commits are intended rewinds: a flag the application gives, never a guess.

A commit is recorded with `reset: true` when
- the application said so for its next commit (`mark_reset(consumer, partitions)`), or
- the consumer was instrumented with `resets=True`, the application sought one of the commit's
  partitions (seek, seek_to_beginning) since that partition's last commit, and the commit's
  offset is lower than the highest offset the consumer knew for it when it sought: its own last
  commit, an offset read back with committed(), or its position before the seek.

A reset exempts the whole commit from `monotonic` (the checker's rule), so commit a rewound
partition on its own when the others should stay checked.
"""

import threading

ALL = object()


class ResetTracker:
    """Per instrumented consumer: what it knows of each partition's offset and what it sought."""

    def __init__(self, from_seeks):
        self.from_seeks = from_seeks
        self._lock = threading.Lock()
        self._known = {}    # "topic/partition" -> the highest offset known in the current epoch
        self._sought = {}   # "topic/partition" -> the highest offset known when it was sought (None: nothing)
        self._marked = set()
        self._mark_all = False

    def sought(self, keys, positions=None):
        """The application sought these partitions; positions: the consumer's offsets before it."""
        if not self.from_seeks:
            return
        positions = positions or {}
        with self._lock:
            for key in keys:
                candidates = [o for o in (self._known.get(key), positions.get(key)) if o is not None and o >= 0]
                previous = self._sought.get(key)
                if previous is not None:
                    candidates.append(previous)
                self._sought[key] = max(candidates) if candidates else None

    def read(self, offsets):
        """committed() returned these offsets: part of what the consumer knows."""
        with self._lock:
            for key, offset in offsets.items():
                if offset is not None and offset >= 0:
                    self._known[key] = max(self._known.get(key, offset), offset)

    def mark(self, keys=None):
        """The next commit (of any of keys; of any partition when None) is an intended reset."""
        with self._lock:
            if keys is None:
                self._mark_all = True
            else:
                self._marked.update(keys)

    def classify(self, offsets):
        """Whether a commit of offsets ("topic/partition" -> offset), about to be built, is a reset.
        Consumes the marks and seeks it answers, and moves the known offsets on."""
        with self._lock:
            reset = False
            if self._mark_all or self._marked.intersection(offsets):
                reset = True
                self._mark_all = False
                self._marked.difference_update(offsets)
            for key, offset in offsets.items():
                if key in self._sought:
                    high = self._sought.pop(key)
                    if high is not None and offset < high:
                        reset = True
            for key, offset in offsets.items():
                # A reset starts a new epoch of its partitions: what it wrote is the new reference.
                self._known[key] = offset if reset else max(self._known.get(key, offset), offset)
            return reset


def tracker(consumer, from_seeks=False):
    """The consumer's tracker, made on first use (instrument sets from_seeks)."""
    found = getattr(consumer, "_commitcheck_resets", None)
    if found is None:
        found = ResetTracker(from_seeks)
        consumer._commitcheck_resets = found
    elif from_seeks:
        found.from_seeks = True
    return found


def mark_reset(consumer, partitions=None):
    """Records the consumer's next commit of these partitions (TopicPartitions, (topic, partition)
    pairs or "topic/partition" strings; any partition when None) with `reset: true`: an intended
    rewind that the `monotonic` property does not count as a regression. The consumer must be
    instrumented."""
    from ._recorder import _key
    found = getattr(consumer, "_commitcheck_resets", None)
    if found is None:
        raise TypeError("mark_reset: the consumer is not instrumented (call instrument first)")
    found.mark(None if partitions is None else {_key(tp) for tp in partitions})
