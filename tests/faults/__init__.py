"""The fault suite: kill -9 at random moments and at chosen code points, a full archive disk, a
read-only store and a locked store, each followed by the invariants of `harness.check`."""
