"""A target whose import raises something other than ImportError."""
raise RuntimeError("no GPU driver found\x1b]0;pwned\x07")
