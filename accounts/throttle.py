"""Counting uses of something within a window, in the shared cache (Redis in production)."""

from django.core.cache import cache


def allow(key, limit, window):
    """Count one more use of `key`; False once it has been used more than `limit` times within
    `window` seconds of its first use. A cache that fails lets the use through (and says so)."""
    key = f"throttle:{key}"
    try:
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def exceeded(key, limit):
    """Whether `key` has been used more than `limit` times in its current window (counting nothing)."""
    return (cache.get(f"throttle:{key}") or 0) > limit
