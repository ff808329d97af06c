"""The study runner: independent, cacheable shards written atomically."""
